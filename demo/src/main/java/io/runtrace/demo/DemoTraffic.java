package io.runtrace.demo;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.runtrace.model.RunAttributes;
import io.runtrace.model.RunStatus;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emits realistic runs through the OpenTelemetry SDK, in real time: a queued marker, steps that
 * take a while, retries after failures, sleeps (waiting), and runs that fail, get cancelled or
 * time out. Each run is one trace whose root span carries the run attributes.
 */
final class DemoTraffic implements AutoCloseable {
  /** The tenants the demo's runs belong to; the demo makes an API key for each. */
  static final List<String> TENANTS = List.of("acme", "globex", "initech");
  private static final List<Fn> FUNCTIONS = List.of(
      new Fn("billing", "charge-card", List.of("reserve-funds", "capture", "send-receipt")),
      new Fn("billing", "refund", List.of("lookup-charge", "refund")),
      new Fn("onboarding", "send-welcome-email", List.of("render", "send")),
      new Fn("inventory", "sync-inventory", List.of("fetch-feed", "diff", "apply-changes", "notify")));

  record Fn(String app, String name, List<String> steps) {}

  private final List<Tracer> tracers;
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "demo-traffic");
    t.setDaemon(true);
    return t;
  });
  private final Random random;
  private final AtomicLong runs = new AtomicLong();

  /** Runs alternate between the given tracers (one per ingest path). */
  DemoTraffic(List<Tracer> tracers, long seed) {
    this.tracers = tracers;
    this.random = new Random(seed);
  }

  /** Starts a new run every {@code periodMs} milliseconds. */
  DemoTraffic start(long periodMs) {
    scheduler.scheduleAtFixedRate(this::startRun, 0, periodMs, TimeUnit.MILLISECONDS);
    return this;
  }

  long runsStarted() {
    return runs.get();
  }

  private synchronized void startRun() {
    long n = runs.incrementAndGet();
    Tracer tracer = tracers.get((int) (n % tracers.size()));
    Fn fn = FUNCTIONS.get(random.nextInt(FUNCTIONS.size()));
    String tenant = TENANTS.get(random.nextInt(TENANTS.size()));
    String runId = "run_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    int outcome = random.nextInt(20); // 0: fails, 1: cancelled, 2: timed out, 3-4: sleeps, else completes
    new DemoRun(tracer, scheduler, random.nextLong(), fn, tenant, runId, outcome).begin();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** One run, advanced by scheduled tasks so its spans arrive while it runs. */
  static final class DemoRun {
    private final Tracer tracer;
    private final ScheduledExecutorService scheduler;
    private final Random random;
    private final Fn fn;
    private final String tenant;
    private final String runId;
    private final int outcome;
    private Span run;
    private int step;
    private int attempt = 1;

    DemoRun(Tracer tracer, ScheduledExecutorService scheduler, long seed, Fn fn, String tenant, String runId,
        int outcome) {
      this.tracer = tracer;
      this.scheduler = scheduler;
      this.random = new Random(seed);
      this.fn = fn;
      this.tenant = tenant;
      this.runId = runId;
      this.outcome = outcome;
    }

    void begin() {
      long queuedAt = nowNanos();
      long delayMs = 100 + random.nextInt(400);
      // The run span is created at enqueue time, starting when execution will, so the queued
      // marker can be its child: one run is one trace.
      run = tracer.spanBuilder("run " + fn.name()).setNoParent()
          .setStartTimestamp(queuedAt + delayMs * 1_000_000L, TimeUnit.NANOSECONDS)
          .setAttribute(RunAttributes.RUN_ID, runId)
          .setAttribute(RunAttributes.TENANT, tenant)
          .setAttribute(RunAttributes.ENVIRONMENT, "production")
          .setAttribute(RunAttributes.APP, fn.app())
          .setAttribute(RunAttributes.FUNCTION, fn.name())
          .startSpan();
      child("queued").setStartTimestamp(queuedAt, TimeUnit.NANOSECONDS)
          .setAttribute(RunAttributes.RUN_STATUS, RunStatus.QUEUED.wireName())
          .setAttribute(RunAttributes.TENANT, tenant)
          .setAttribute(RunAttributes.ENVIRONMENT, "production")
          .setAttribute(RunAttributes.APP, fn.app())
          .setAttribute(RunAttributes.FUNCTION, fn.name())
          .startSpan().end(queuedAt, TimeUnit.NANOSECONDS);
      scheduler.schedule(this::nextStep, delayMs, TimeUnit.MILLISECONDS);
    }

    private void nextStep() {
      if (step == fn.steps().size()) {
        finish(RunStatus.COMPLETED, null);
        return;
      }
      if (step == 1 && (outcome == 3 || outcome == 4)) {
        long at = nowNanos();
        child("sleep").setAttribute(RunAttributes.RUN_STATUS, RunStatus.WAITING.wireName())
            .setAttribute(RunAttributes.STEP, "sleep").startSpan().end(at, TimeUnit.NANOSECONDS);
      }
      String name = fn.steps().get(step);
      Span span = child("step " + name).setAttribute(RunAttributes.STEP, name)
          .setAttribute(AttributeKey.longKey(RunAttributes.ATTEMPT), (long) attempt).startSpan();
      long delay = 150 + random.nextInt(700) + (step == 1 && outcome >= 3 && outcome <= 4 ? 8000 : 0);
      scheduler.schedule(() -> endStep(span, name), delay, TimeUnit.MILLISECONDS);
    }

    private void endStep(Span span, String name) {
      boolean lastStep = step == fn.steps().size() - 1;
      boolean transientFailure = attempt == 1 && random.nextInt(6) == 0;
      boolean finalFailure = outcome == 0 && lastStep;
      if (transientFailure || finalFailure) {
        RuntimeException error = new IllegalStateException(name + ": upstream returned 503");
        span.recordException(error);
        span.setStatus(StatusCode.ERROR, error.getMessage());
        span.end();
        if (finalFailure && attempt >= 3) {
          finish(RunStatus.FAILED, error.getMessage());
          return;
        }
        attempt++;
        scheduler.schedule(this::nextStep, 200, TimeUnit.MILLISECONDS);
        return;
      }
      span.end();
      if (outcome == 1 && lastStep) {
        finish(RunStatus.CANCELLED, null);
        return;
      }
      if (outcome == 2 && lastStep) {
        finish(RunStatus.TIMED_OUT, "function exceeded its 5 s timeout");
        return;
      }
      step++;
      attempt = 1;
      nextStep();
    }

    private io.opentelemetry.api.trace.SpanBuilder child(String name) {
      return tracer.spanBuilder(name).setParent(Context.root().with(run)).setAttribute(RunAttributes.RUN_ID, runId);
    }

    private void finish(RunStatus status, String error) {
      run.setAttribute(RunAttributes.RUN_STATUS, status.wireName());
      run.setAttribute(AttributeKey.longKey(RunAttributes.ATTEMPT), (long) attempt);
      if (error != null) run.setStatus(StatusCode.ERROR, error);
      run.end();
    }

    private static long nowNanos() {
      java.time.Instant now = java.time.Instant.now();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }
}

package io.runtrace.stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Stream processor benchmark on its own local stack ({@code bin/bench-stream}): end-to-end
 * throughput (spans produced → rows visible on the reader replica), freshness p50/p99 at a steady
 * load, and catch-up after a ClickHouse writer outage under that load. Prints figures; asserts nothing.
 */
public final class StreamBenchmark {
  static final int WARMUP_SPANS = Integer.getInteger("bench.warmupSpans", 1_000_000);
  static final int THROUGHPUT_SPANS = Integer.getInteger("bench.spans", 2_000_000);
  static final int STEADY_RATE = Integer.getInteger("bench.rate", 10_000);
  static final int FRESHNESS_SECONDS = Integer.getInteger("bench.freshnessSeconds", 30);
  static final int OUTAGE_SECONDS = Integer.getInteger("bench.outageSeconds", 60);

  private StreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(System.getProperty("user.dir"), "target", "bench-stack");
    long t = System.nanoTime();
    ClickHouseEngine engine = ClickHouseEngine.parse(System.getProperty("bench.clickhouse", "18.16"), "bench.clickhouse");
    try (LocalStack stack = LocalStack.builder().workDir(work).clickHouseEngines(engine).build().start()) {
      System.out.printf("local stack started in %.1f s; %d cores, %s, java %s%n", secs(t),
          Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"));
      SinkFixture f = new SinkFixture(stack, engine, "bench");
      System.out.printf("settings: threads %d, commitInterval %d ms, maxBatchDelay %d ms, maxBatchRows %,d,"
          + " maxBatchBytes %,d, other settings default; 6 partitions per topic, 1 broker, %s;"
          + " server JVM options '%s'%n", Integer.getInteger("bench.threads", 2),
          Integer.getInteger("bench.commitMs", 100), Integer.getInteger("bench.batchDelayMs", 500),
          Integer.getInteger("bench.batchRows", 200_000), Integer.getInteger("bench.batchBytes", 64 << 20),
          stack.clickHouse(), System.getProperty("runtrace.stack.serverJvmOptions", ""));
      var registry = new SimpleMeterRegistry();
      Path state = Files.createTempDirectory("bench-state");
      try (BenchLoad load = new BenchLoad(stack.kafkaBootstrapServers(), f.spans)) {
        // Every JVM here starts cold: the first pass pays for JIT compilation in this process and
        // in the broker (a third of both CPUs in a 20 s pass), so it warms up and is reported apart.
        long warm = preload(load, WARMUP_SPANS, "warm-up");
        try (StreamProcessor p = processor(f, state, registry)) {
          throughput("WARM-UP (cold JVMs)", f, p, registry, 0, warm);
        }
        long measured = preload(load, THROUGHPUT_SPANS, "measured");
        // A fresh registry: the closed processor's gauges would otherwise shadow the new ones.
        registry = new SimpleMeterRegistry();
        try (StreamProcessor p = processor(f, state, registry)) {
          throughput("THROUGHPUT", f, p, registry, warm, measured);
          freshness(f, load);
          catchUp(stack, f, load, registry);
          load.stopSteady();
        }
      }
      f.close();
    }
  }

  private static long preload(BenchLoad load, int spans, String what) {
    long before = load.spansAcked.get();
    long t = System.nanoTime();
    for (int i = 0; i < spans / BenchLoad.SPANS_PER_RECORD; i++) load.sendRun();
    load.producer.flush();
    long acked = load.spansAcked.get() - before;
    System.out.printf("produced %,d %s spans (%d per record, %,d acknowledged, %d records failed) in %.1f s"
        + " while no processor ran%n", spans, what, BenchLoad.SPANS_PER_RECORD, acked, load.sendFailures.get(), secs(t));
    return acked;
  }

  private static StreamProcessor processor(SinkFixture f, Path state, SimpleMeterRegistry registry) {
    return f.processor(state).meterRegistry(registry).consumerLagRefresh(Duration.ofSeconds(1))
        .commitInterval(Duration.ofMillis(Integer.getInteger("bench.commitMs", 100)))
        .threads(Integer.getInteger("bench.threads", 2))
        .maxBatchDelay(Duration.ofMillis(Integer.getInteger("bench.batchDelayMs", 500)))
        .maxBatchBytes(Integer.getInteger("bench.batchBytes", 64 << 20))
        .maxBatchRows(Integer.getInteger("bench.batchRows", 200_000)).build().start();
  }

  /** Times {@code spans} more spans, on top of {@code before} already on the reader, through topology, sink and replication. */
  private static void throughput(String label, SinkFixture f, StreamProcessor p, SimpleMeterRegistry registry,
      long before, long spans) {
    long starting = System.nanoTime();
    SinkFixture.await(() -> "RUNNING".equals(p.state()), Duration.ofMinutes(2), "the topology runs");
    System.out.printf("processor running after %.1f s%n", secs(starting));
    long t = System.nanoTime();
    double[] topologyS = {Double.NaN};
    SinkFixture.await(() -> {
      if (Double.isNaN(topologyS[0]) && topologySpans(registry) >= spans) {
        topologyS[0] = secs(t);
      }
      return f.readerCount("SELECT count() AS n FROM " + f.database + ".spans") >= before + spans;
    }, Duration.ofMinutes(10), "all spans are on the reader");
    double s = secs(t);
    System.out.printf("%s end to end (topology + sink + replication to reader): %,d spans in %.1f s = %,.0f spans/s"
        + " (target >= 50,000); the topology alone finished in %.1f s = %,.0f spans/s%n", label, spans, s,
        spans / s, topologyS[0], spans / topologyS[0]);
  }

  private static void freshness(SinkFixture f, BenchLoad load) {
    load.probes.clear();
    load.startSteady(STEADY_RATE);
    long startSent = load.spansSent.get();
    long t = System.nanoTime();
    List<Double> ms = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    while (secs(t) < FRESHNESS_SECONDS) {
      try {
        for (var row : f.reader.query("SELECT trace_id FROM " + f.database + ".spans WHERE trace_id >= 'ffff'"
            + " GROUP BY trace_id HAVING count() = " + BenchLoad.SPANS_PER_RECORD)) {
          String trace = row.get("trace_id").asText();
          Long sent = load.probes.get(trace);
          if (sent != null && seen.add(trace)) ms.add((System.nanoTime() - sent) / 1e6);
        }
      } catch (RuntimeException e) {
        System.out.println("freshness poll failed: " + e.getMessage());
      }
      SinkFixture.sleep(50);
    }
    double rate = (load.spansSent.get() - startSent) / secs(t);
    Collections.sort(ms);
    System.out.printf("FRESHNESS at %,.0f spans/s for %d s (produce -> visible on reader, %d probes, 50 ms polling):"
        + " p50 %.0f ms, p99 %.0f ms, max %.0f ms (target p99 <= 2,000 ms)%n", rate, FRESHNESS_SECONDS, ms.size(),
        pct(ms, 0.5), pct(ms, 0.99), ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1));
  }

  private static void catchUp(LocalStack stack, SinkFixture f, BenchLoad load, SimpleMeterRegistry registry) {
    long sentBefore = load.spansSent.get();
    long t = System.nanoTime();
    stack.clickHouse().stopWriter();
    SinkFixture.sleep(OUTAGE_SECONDS * 1000L);
    stack.clickHouse().startWriter();
    double ingest = (load.spansSent.get() - sentBefore) / secs(t);
    double lagAtRestart = lag(registry, f.enriched);
    long restarted = System.nanoTime();
    double rowsAtRestart = spanRows(registry);
    SinkFixture.await(() -> spanRows(registry) > rowsAtRestart, Duration.ofMinutes(2), "the first insert after the outage");
    long firstInsert = System.nanoTime();
    double rowsAtFirst = spanRows(registry);
    SinkFixture.await(() -> lag(registry, f.enriched) >= 0 && lag(registry, f.enriched) < STEADY_RATE,
        Duration.ofMinutes(10), "the backlog drained");
    double drainS = secs(firstInsert);
    double drained = spanRows(registry) - rowsAtFirst;
    System.out.printf("CATCH-UP after a %d s writer outage under %,.0f spans/s ingest: backlog %,.0f enriched-span records (about 10 spans each) at restart;"
        + " first insert %.1f s after restart; drained in %.1f s at %,.0f span rows/s = %.1fx the ingest rate%n",
        OUTAGE_SECONDS, ingest, lagAtRestart, (firstInsert - restarted) / 1e9, drainS, drained / drainS,
        drained / drainS / ingest);
  }

  private static double topologySpans(SimpleMeterRegistry registry) {
    var c = registry.find("runtrace.stream.spans").counter();
    return c == null ? 0 : c.count();
  }

  private static double spanRows(SimpleMeterRegistry registry) {
    return registry.get("runtrace.sink.rows").tag("table", "spans").counter().count();
  }

  private static double lag(SimpleMeterRegistry registry, String topic) {
    return registry.get("runtrace.sink.consumer.lag.records").tag("topic", topic).gauge().value();
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}

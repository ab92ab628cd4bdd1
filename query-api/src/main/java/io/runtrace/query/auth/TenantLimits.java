package io.runtrace.query.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Fair share between tenants: at most {@code maxInFlight} requests of one tenant at a time, and
 * a token bucket of {@code ratePerSecond} with {@code burst} per tenant. Both are checked before
 * any ClickHouse work and neither waits: a request over either is refused at once
 * ({@link Throttled}), so a flooding tenant holds no more workers than its share. Refusals are
 * counted in {@code runtrace.query.http.throttled{tenant,reason}}; tenants come from the key
 * file, so the label is bounded.
 */
public final class TenantLimits {
  /** Default requests of one tenant in flight at once. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 4;
  /** Default sustained requests per second per tenant. */
  public static final double DEFAULT_RATE_PER_SECOND = 20;
  /** Default burst: requests a quiet tenant may send at once above the rate. */
  public static final int DEFAULT_BURST = 40;

  private final int maxInFlight;
  private final double ratePerSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final MeterRegistry registry;
  private final Map<String, TenantState> tenants = new ConcurrentHashMap<>();

  /** Limits with this clock (nanoseconds, {@code System::nanoTime} in production). */
  public TenantLimits(int maxInFlight, double ratePerSecond, int burst, LongSupplier nanoClock, MeterRegistry registry) {
    if (maxInFlight < 1) throw new IllegalArgumentException("tenantMaxInFlight must be at least 1, was " + maxInFlight);
    if (!(ratePerSecond > 0)) throw new IllegalArgumentException("tenantRatePerSecond must be above 0, was " + ratePerSecond);
    if (burst < 1) throw new IllegalArgumentException("tenantBurst must be at least 1, was " + burst);
    this.maxInFlight = maxInFlight;
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.registry = registry;
  }

  /** A slot for one request of this caller's tenant, to close when the answer is sent. */
  public Permit acquire(Caller caller) {
    String tenant = caller.limitKey();
    TenantState s = tenants.computeIfAbsent(tenant, t -> new TenantState(t, nanoClock.getAsLong()));
    if (s.inFlight.incrementAndGet() > maxInFlight) {
      s.inFlight.decrementAndGet();
      s.concurrency.increment();
      throw new Throttled("concurrency", 1, "tenant " + tenant + " has " + maxInFlight
          + " requests in flight, the most it may have at once");
    }
    long wait = s.bucket.tryTake(nanoClock.getAsLong());
    if (wait > 0) {
      s.inFlight.decrementAndGet();
      s.rate.increment();
      throw new Throttled("rate", Math.max(1, (wait + 999_999_999L) / 1_000_000_000L),
          "tenant " + tenant + " is over its " + fmt(ratePerSecond) + " requests per second (burst " + burst + ")");
    }
    return new Permit(s);
  }

  /** Requests of {@code tenant} in flight now; for tests. */
  int inFlight(String tenant) {
    TenantState s = tenants.get(tenant);
    return s == null ? 0 : s.inFlight.get();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** One request's slot; closing it twice frees it once. */
  public static final class Permit implements AutoCloseable {
    private final TenantState state;
    private boolean closed;

    private Permit(TenantState state) {
      this.state = state;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      state.inFlight.decrementAndGet();
    }
  }

  private final class TenantState {
    final TokenBucket bucket;
    final AtomicInteger inFlight = new AtomicInteger();
    final Counter rate;
    final Counter concurrency;

    TenantState(String tenant, long now) {
      this.bucket = new TokenBucket(ratePerSecond, burst, now);
      this.rate = counter(tenant, "rate");
      this.concurrency = counter(tenant, "concurrency");
    }

    private Counter counter(String tenant, String reason) {
      return Counter.builder("runtrace.query.http.throttled")
          .description("Requests answered 429 because their tenant was over its fair share")
          .tags("tenant", tenant, "reason", reason).register(registry);
    }
  }
}

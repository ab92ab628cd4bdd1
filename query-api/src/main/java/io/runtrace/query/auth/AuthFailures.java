package io.runtrace.query.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refused API keys: counted in the shared {@code runtrace.auth.failures} counter (tags
 * {@code component=query-api}, {@code credential=api_key}, {@code reason}), and logged with the
 * caller's address, never the key, at most once per reason every {@value #LOG_EVERY_SECONDS} s.
 */
final class AuthFailures {
  private static final System.Logger LOG = System.getLogger(AuthFailures.class.getName());
  static final String[] REASONS = {"missing", "unknown", "forbidden"};
  static final long LOG_EVERY_SECONDS = 10;

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastLog = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

  AuthFailures(MeterRegistry registry) {
    // Registered at zero so that an alert has a series before the first failure.
    for (String reason : REASONS) {
      counters.put(reason, Counter.builder("runtrace.auth.failures")
          .description("Credentials refused, by component and credential")
          .tags("component", "query-api", "credential", "api_key", "reason", reason)
          .register(registry));
      lastLog.put(reason, new AtomicLong(System.nanoTime() - LOG_EVERY_SECONDS * 2_000_000_000L));
      suppressed.put(reason, new AtomicLong());
    }
  }

  void refused(String reason, String remoteAddress, String what) {
    counters.get(reason).increment();
    AtomicLong last = lastLog.get(reason);
    long now = System.nanoTime();
    long then = last.get();
    if (now - then >= LOG_EVERY_SECONDS * 1_000_000_000L && last.compareAndSet(then, now)) {
      long more = suppressed.get(reason).getAndSet(0);
      LOG.log(Level.WARNING, "query-api refused an API key ({0}): {1}, from {2}{3}", reason, what, remoteAddress,
          more == 0 ? "" : "; " + more + " more refused for this reason since the last message");
    } else {
      suppressed.get(reason).incrementAndGet();
    }
  }
}

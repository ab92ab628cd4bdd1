package io.runtrace.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * A receiver's bearer-token check: judges each request, and counts and logs (rate-limited) the
 * refused ones with what was wrong and where the request came from, never the token. Without a
 * configured token every request passes.
 */
final class BearerAuth {
  private static final System.Logger LOG = System.getLogger(BearerAuth.class.getName());

  private final BearerToken token;
  private final String receiver;
  private final List<Counter> failures = new ArrayList<>();
  private final RateLimitedLog log;

  /** {@code token} null means no authentication; the counter is registered in each registry otherwise. */
  BearerAuth(BearerToken token, String receiver, RateLimitedLog log, MeterRegistry... registries) {
    this.token = token;
    this.receiver = receiver;
    this.log = log;
    if (token != null) {
      for (MeterRegistry r : registries) {
        if (r != null) failures.add(AuthFailures.counter(r, AuthFailures.BEARER_TOKEN));
      }
    }
  }

  BearerAuth(BearerToken token, String receiver, MeterRegistry... registries) {
    this(token, receiver, new RateLimitedLog(LOG, System::nanoTime), registries);
  }

  /** Judges {@code authorization} (null when absent) from {@code remote}; a refusal is counted and logged. */
  BearerToken.Verdict check(String authorization, Object remote) {
    if (token == null) return BearerToken.Verdict.ACCEPTED;
    BearerToken.Verdict verdict = token.check(authorization);
    if (verdict != BearerToken.Verdict.ACCEPTED) {
      for (Counter c : failures) c.increment();
      log.warn("Refused an " + receiver + " request with " + verdict.describe() + " from " + remote, null);
    }
    return verdict;
  }
}

package io.runtrace.query.auth;

/**
 * A request over its tenant's fair share: the answer is a 429 with {@code Retry-After}.
 * {@link #reason()} is {@code concurrency} (too many of the tenant's requests in flight) or
 * {@code rate} (its token bucket is empty).
 */
public final class Throttled extends RuntimeException {
  private final String reason;
  private final long retryAfterSeconds;

  Throttled(String reason, long retryAfterSeconds, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** {@code concurrency} or {@code rate}. */
  public String reason() {
    return reason;
  }

  /** Whole seconds to wait before retrying, at least 1. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}

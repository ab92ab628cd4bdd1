package io.runtrace.query.auth;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}; each request takes
 * one. Times are nanoseconds from a caller-given clock, so tests can drive it.
 */
final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(double perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes a token and returns 0, or returns the nanoseconds until one is there (taking none). */
  synchronized long tryTake(long nowNanos) {
    if (nowNanos > last) {
      tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / perNano);
  }
}

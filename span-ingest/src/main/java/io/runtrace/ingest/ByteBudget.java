package io.runtrace.ingest;

import java.util.concurrent.TimeUnit;

/**
 * Bounds the bytes of records held between acceptance and Kafka's acknowledgement. A share of it
 * is reserved for records carrying run root spans, so run status still lands when ordinary spans
 * fill the rest. Never blocks on acquire.
 */
final class ByteBudget {
  /** Kafka's {@code buffer.memory} gets this fraction of the total; the rest holds records. */
  static final double KAFKA_SHARE = 0.25;
  /** Fraction of the held bytes that only run root records may use. */
  static final double RUN_ROOT_SHARE = 0.10;

  private final long limit;
  private final long ordinaryLimit;
  private long used;

  /** A budget of {@code limit} bytes with {@code reserved} bytes kept for run root records. */
  ByteBudget(long limit, long reserved) {
    this.limit = limit;
    this.ordinaryLimit = limit - reserved;
  }

  /** Splits a total byte budget: Kafka's buffer gets {@link #KAFKA_SHARE}, this budget the rest. */
  static ByteBudget ofTotal(long totalBytes) {
    long held = totalBytes - kafkaBufferBytes(totalBytes);
    return new ByteBudget(held, (long) (held * RUN_ROOT_SHARE));
  }

  static long kafkaBufferBytes(long totalBytes) {
    return (long) (totalBytes * KAFKA_SHARE);
  }

  /** Takes {@code bytes} if they fit; false (and nothing taken) otherwise. */
  synchronized boolean tryAcquire(long bytes, boolean runRoot) {
    if (used + bytes > (runRoot ? limit : ordinaryLimit)) return false;
    used += bytes;
    return true;
  }

  /** True when {@code bytes} ordinary bytes would fit now; a hint, not a reservation. */
  synchronized boolean wouldFit(long bytes) {
    return used + bytes <= ordinaryLimit;
  }

  synchronized void release(long bytes) {
    used -= bytes;
    if (used == 0) notifyAll();
  }

  synchronized long used() {
    return used;
  }

  long limit() {
    return limit;
  }

  /** Waits until nothing is held or the timeout passes; true when nothing is held. */
  synchronized boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (used > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}

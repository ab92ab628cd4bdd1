package io.runtrace.ingest;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A warning that repeats at most once per {@link #INTERVAL_NANOS}, saying how many times it
 * happened since it was last written, so a flood of refused requests cannot flood the log.
 */
final class RateLimitedLog {
  /** At most one line per 10 seconds. */
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final System.Logger log;
  private final LongSupplier nanoTime;
  private long lastWritten;
  private boolean written;
  private long suppressed;

  RateLimitedLog(System.Logger log, LongSupplier nanoTime) {
    this.log = log;
    this.nanoTime = nanoTime;
  }

  /**
   * Counts one occurrence and writes {@code message} (with how many occurrences it stands for)
   * unless a line was written in the last interval; returns whether it wrote.
   */
  synchronized boolean warn(String message, Throwable thrown) {
    long now = nanoTime.getAsLong();
    if (written && now - lastWritten < INTERVAL_NANOS) {
      suppressed++;
      return false;
    }
    long times = suppressed + 1;
    String line = times == 1 ? message : message + " (" + times + " times since the last such message)";
    if (thrown == null) log.log(Level.WARNING, line);
    else log.log(Level.WARNING, line, thrown);
    written = true;
    lastWritten = now;
    suppressed = 0;
    return true;
  }
}

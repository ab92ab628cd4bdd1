package io.runtrace.localstack;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** A point in time shared by all waits of one start, so the whole start honours one timeout. */
final class Deadline {
  private static final long POLL_MILLIS = 200;
  private final long deadlineNanos;
  private final Duration total;

  private Deadline(Duration total) {
    this.total = total;
    this.deadlineNanos = System.nanoTime() + total.toNanos();
  }

  static Deadline after(Duration total) {
    return new Deadline(total);
  }

  Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  Duration total() {
    return total;
  }

  /** Polls {@code ready} until it returns true; {@code stillAlive} false aborts the wait early. */
  void await(String what, BooleanSupplier ready, BooleanSupplier stillAlive)
      throws TimeoutException {
    while (true) {
      if (ready.getAsBoolean()) {
        return;
      }
      if (!stillAlive.getAsBoolean()) {
        throw new IllegalStateException(what + ": the process exited before it became ready");
      }
      if (remaining().isZero()) {
        throw new TimeoutException(what + ": not ready within the start timeout of " + total);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(what + ": interrupted while waiting", e);
      }
    }
  }
}

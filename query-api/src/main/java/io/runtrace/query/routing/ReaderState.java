package io.runtrace.query.routing;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the router knows of one reader: up or down and why, its replication delay at the last
 * check, and the reads in flight on it. A reader starts up with its delay unknown, until the
 * first check. Changes of state are logged once, not on every check.
 */
final class ReaderState {
  private static final System.Logger LOG = System.getLogger(ReaderState.class.getName());

  final ReaderClient client;
  final AtomicInteger inFlight = new AtomicInteger();
  /** Grows with every failure seen, so that a check that began before one cannot undo it. */
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean up = true;
  private volatile String reason;
  /** Seconds, or -1 while unknown. */
  private volatile long delaySeconds = -1;

  ReaderState(ReaderClient client) {
    this.client = client;
  }

  String name() {
    return client.name();
  }

  boolean up() {
    return up;
  }

  /** Why the reader is down; null while up. */
  String reason() {
    return reason;
  }

  /** The replication delay at the last check in seconds, -1 while unknown. */
  long delaySeconds() {
    return delaySeconds;
  }

  /** The delay for choosing: unknown counts as fresh. */
  long delayForChoice() {
    return Math.max(0, delaySeconds);
  }

  long failures() {
    return failures.get();
  }

  /** A check passed; ignored when a read saw the reader fail since {@code failuresAtStart}. */
  synchronized void checkedUp(long delay, long failuresAtStart) {
    if (failures.get() != failuresAtStart) return;
    delaySeconds = delay;
    if (!up) LOG.log(Level.INFO, "ClickHouse reader {0} is back (replication delay {1} s)", name(), Long.toString(delay));
    up = true;
    reason = null;
  }

  synchronized void down(String why) {
    failures.incrementAndGet();
    if (up || !why.equals(reason)) LOG.log(Level.WARNING, "ClickHouse reader {0} is down: {1}", name(), why);
    up = false;
    reason = why;
  }

  /** The reader refused the credential: logged as an error naming the user, never the password. */
  synchronized void refused(int serverCode) {
    failures.incrementAndGet();
    String why = "refused user " + client.user();
    if (up || !why.equals(reason)) {
      LOG.log(Level.ERROR, "ClickHouse reader {0} refused user {1} (ClickHouse code {2}); it is skipped until it"
          + " accepts the credential", name(), client.user(), Integer.toString(serverCode));
    }
    up = false;
    reason = why;
  }
}

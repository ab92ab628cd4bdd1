package io.runtrace.model;

import java.util.Locale;

/** A run's status. Terminal states hold: nothing moves a run out of one. */
public enum RunStatus {
  QUEUED(false),
  RUNNING(false),
  WAITING(false),
  COMPLETED(true),
  FAILED(true),
  CANCELLED(true),
  TIMED_OUT(true);

  private final boolean terminal;

  RunStatus(boolean terminal) {
    this.terminal = terminal;
  }

  /** True for completed, failed, cancelled and timed out. */
  public boolean terminal() {
    return terminal;
  }

  /** The attribute and column value: lower case, for example {@code timed_out}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a {@link #wireName()}, ignoring case; null when the value is not a status. */
  public static RunStatus parse(String value) {
    if (value == null) return null;
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

package io.runtrace.query.routing;

import java.util.List;
import java.util.OptionalLong;

/**
 * The readers as the router sees them: {@link #ok()} while at least one is up, and each one's
 * state; {@link #reason()} names every reader's cause when none is up.
 */
public record ReaderHealth(boolean ok, String reason, List<Reader> readers) {
  /** One reader: its name, up or not, its delay at the last check, and why it is down (null while up). */
  public record Reader(String name, boolean up, OptionalLong delaySeconds, String reason) {}
}

package io.runtrace.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** A request's {@code [from, to)} in unix nanoseconds: RFC 3339 bounds, a default length, a maximum. */
record TimeWindow(long fromNanos, long toNanos) {
  /** Reads {@code from} and {@code to}; {@code to} defaults to now and {@code from} to {@code to - defaultLength}. */
  static TimeWindow parse(QueryParameters p, Clock clock, Duration defaultLength, Duration max) {
    Instant to = p.text("to").map(v -> instant("to", v)).orElse(clock.instant());
    Instant from = p.text("from").map(v -> instant("from", v)).orElse(to.minus(defaultLength));
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("from must be before to, was from=" + Rows.iso(from) + " to=" + Rows.iso(to));
    }
    if (Duration.between(from, to).compareTo(max) > 0) {
      throw ApiException.badRequest("the window from " + Rows.iso(from) + " to " + Rows.iso(to) + " is longer than "
          + max.toHours() + " h, the most this service allows");
    }
    return new TimeWindow(nanos(from), nanos(to));
  }

  Instant from() {
    return Instant.ofEpochSecond(0, fromNanos);
  }

  Instant to() {
    return Instant.ofEpochSecond(0, toNanos);
  }

  private static Instant instant(String name, String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + " must be an RFC 3339 time such as 2026-11-30T12:00:00Z, was "
          + QueryParameters.quoted(value));
    }
  }

  static long nanos(Instant i) {
    // Before 1970 or after 2262 nanoseconds overflow a long; no run lives there.
    if (i.isBefore(Instant.EPOCH) || i.isAfter(Instant.ofEpochSecond(9_000_000_000L))) {
      throw ApiException.badRequest("times must be between 1970 and 2255, was " + Rows.iso(i));
    }
    return Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L) + i.getNano();
  }

  /** The bound given, for error messages and the answer; empty when defaulted. */
  static Optional<String> given(QueryParameters p, String name) {
    return p.text(name);
  }
}

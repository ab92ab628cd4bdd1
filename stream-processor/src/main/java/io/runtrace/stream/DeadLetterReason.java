package io.runtrace.stream;

import java.util.Locale;

/** Why a record or span went to the dead-letter topic; the header value is the lower-case name. */
enum DeadLetterReason {
  UNDECODABLE,
  OVERSIZE,
  MISSING_TRACE_ID,
  MISSING_SPAN_ID,
  INVALID_UTF8,
  ABSURD_TIMESTAMP;

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

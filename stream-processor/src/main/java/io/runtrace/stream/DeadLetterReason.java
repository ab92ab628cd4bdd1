package io.runtrace.stream;

import java.util.Locale;

/** Why a record or span went to the dead-letter topic; the header value is the lower-case name. */
enum DeadLetterReason {
  UNDECODABLE,
  OVERSIZE,
  MISSING_TRACE_ID,
  MISSING_SPAN_ID,
  INVALID_UTF8,
  ABSURD_TIMESTAMP,
  /** Processing threw: a bug or an input nobody foresaw; the detail names the exception. */
  PROCESSING_ERROR;

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

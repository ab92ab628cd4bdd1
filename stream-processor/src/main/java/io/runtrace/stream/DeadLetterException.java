package io.runtrace.stream;

/** A whole record can't be decoded; it goes to the dead-letter topic as it came. */
final class DeadLetterException extends Exception {
  final DeadLetterReason reason;

  DeadLetterException(DeadLetterReason reason, String detail) {
    super(reason.wireName() + ": " + detail, null, false, false);
    this.reason = reason;
  }
}

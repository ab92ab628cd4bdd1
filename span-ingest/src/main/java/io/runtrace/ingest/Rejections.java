package io.runtrace.ingest;

/**
 * The ids and reasons of rejected spans or traces, joined for an OTLP partial-success
 * {@code error_message}; stops adding at {@link #MAX_CHARS} so a huge request cannot make a huge reply.
 */
final class Rejections {
  /** Longest message, in characters. */
  static final int MAX_CHARS = 1024;
  private final StringBuilder text = new StringBuilder();
  private int omitted;

  void add(String entry) {
    if (text.length() + entry.length() + 2 > MAX_CHARS - 32) {
      omitted++;
      return;
    }
    if (text.length() > 0) text.append("; ");
    text.append(entry);
  }

  boolean isEmpty() {
    return text.length() == 0 && omitted == 0;
  }

  @Override
  public String toString() {
    return omitted == 0 ? text.toString() : text + "; and " + omitted + " more";
  }
}

package io.runtrace.query.jaeger;

/**
 * A Jaeger request that ends in Jaeger's error answer, {@code {"data":null,…,"errors":[{"code","msg"}]}}:
 * the HTTP status and a message safe to show the caller.
 */
public final class JaegerException extends RuntimeException {
  private final int status;

  JaegerException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static JaegerException badRequest(String message) {
    return new JaegerException(400, message);
  }

  /** The HTTP status of the answer. */
  public int status() {
    return status;
  }
}

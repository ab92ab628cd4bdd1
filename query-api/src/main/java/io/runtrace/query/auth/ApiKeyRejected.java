package io.runtrace.query.auth;

/**
 * A request whose {@code Authorization} header does not name a known API key: the answer is a
 * 401. {@link #presented()} tells a missing key from a wrong one ({@code error="invalid_token"}).
 */
public final class ApiKeyRejected extends RuntimeException {
  private final boolean presented;

  ApiKeyRejected(boolean presented, String message) {
    super(message, null, false, false);
    this.presented = presented;
  }

  /** True when a credential was sent but is not a known key. */
  public boolean presented() {
    return presented;
  }
}

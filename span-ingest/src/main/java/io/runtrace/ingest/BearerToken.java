package io.runtrace.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The token a receiver requires in {@code Authorization: Bearer <token>}, as the OpenTelemetry
 * Collector's {@code bearertokenauth} extension does. Only its SHA-256 digest is kept, and a
 * presented token is compared digest to digest in constant time, so neither its length nor its
 * prefix leaks through timing. {@link #toString()} never shows it.
 */
final class BearerToken {
  /** What a request's credentials amount to. */
  enum Verdict {
    ACCEPTED,
    MISSING,
    WRONG;

    /** For logs and replies: what was refused. */
    String describe() {
      return this == MISSING ? "no bearer token" : "a wrong bearer token";
    }
  }

  private static final String SCHEME = "bearer";
  private final byte[] digest;

  private BearerToken(String token) {
    this.digest = sha256(token);
  }

  /**
   * A token; fails naming {@code setting} when it is blank or holds characters that cannot travel
   * in an HTTP header unchanged (anything but visible ASCII, including spaces).
   */
  static BearerToken of(String token, String setting) {
    if (token == null || token.isBlank()) throw new IllegalArgumentException(setting + " must not be blank");
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(setting + " must be visible ASCII without spaces (a RFC 6750 token), found "
            + (c == ' ' ? "a space" : String.format("character U+%04X", (int) c)) + " at position " + i);
      }
    }
    return new BearerToken(token);
  }

  /** Judges an {@code Authorization} header value (null when absent); the scheme is case-insensitive. */
  Verdict check(String authorization) {
    if (authorization == null) return Verdict.MISSING;
    String value = authorization.trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals(SCHEME)) return Verdict.MISSING;
    String presented = value.substring(space + 1).trim();
    if (presented.isEmpty()) return Verdict.MISSING;
    return MessageDigest.isEqual(digest, sha256(presented)) ? Verdict.ACCEPTED : Verdict.WRONG;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "BearerToken{***}";
  }
}

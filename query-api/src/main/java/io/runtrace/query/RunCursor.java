package io.runtrace.query;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a page of runs ended: the last run's first-seen time and trace id, the list's order
 * ({@code created_unix_nano DESC, trace_id DESC}). Both are fixed for a run's life, so a page
 * that follows the cursor can neither skip nor repeat a run, whatever arrives or changes
 * meanwhile. The token is opaque to callers (base64url) and names the query it belongs to by a
 * hash of its filters, so it can't be replayed against another; the window's {@code from} still
 * bounds the pages it leads to.
 */
record RunCursor(long createdNanos, String traceId) {
  private static final Pattern TOKEN = Pattern.compile("r1\\|(\\d{1,19})\\|([A-Za-z0-9._:-]{1,128})\\|([0-9a-f]{8})");

  String encode(String query) {
    String text = "r1|" + createdNanos + "|" + traceId + "|" + hash(query);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Reads a token; a 400 that says why when it is not one, or was made for another query. */
  static RunCursor decode(String token, String query) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    Matcher m = TOKEN.matcher(text);
    if (!m.matches()) throw invalid();
    if (!m.group(3).equals(hash(query))) {
      throw ApiException.badRequest("cursor was made for another query; page with the filters and window it came with");
    }
    try {
      return new RunCursor(Long.parseLong(m.group(1)), m.group(2));
    } catch (NumberFormatException e) {
      throw invalid();
    }
  }

  private static ApiException invalid() {
    return ApiException.badRequest("cursor is not a cursor this API gave out; take next_cursor from a page");
  }

  private static String hash(String query) {
    return String.format("%08x", query.hashCode());
  }
}

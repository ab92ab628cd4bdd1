package io.runtrace.query.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys of one version of the key file, looked up by the SHA-256 of the presented key. The
 * map is keyed by that digest, so a lookup's timing depends on the digest, not on how much of a
 * key an attacker guessed; the digest found is then compared in constant time.
 */
final class KeyRing {
  /** Every key starts with this, so a leaked one is easy to find in logs and repositories. */
  static final String PREFIX = "rt_";
  /** Random bytes in a key: 256 bits, so an unsalted fast hash is enough (see RATIONALE.md). */
  static final int KEY_BYTES = 32;
  /** Longest credential looked at; a longer one is not a key and is not hashed. */
  static final int MAX_KEY_LENGTH = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, ApiKey> byDigest;
  private final int size;

  KeyRing(List<ApiKey> keys) {
    Map<String, ApiKey> map = new HashMap<>();
    for (ApiKey k : keys) map.put(HexFormat.of().formatHex(k.sha256()), k);
    this.byDigest = Map.copyOf(map);
    this.size = keys.size();
  }

  /** The key whose SHA-256 is that of {@code presented}, if any. */
  Optional<ApiKey> find(String presented) {
    if (presented.length() > MAX_KEY_LENGTH) return Optional.empty();
    byte[] digest = sha256(presented);
    ApiKey key = byDigest.get(HexFormat.of().formatHex(digest));
    if (key == null || !MessageDigest.isEqual(key.sha256(), digest)) return Optional.empty();
    return Optional.of(key);
  }

  int size() {
    return size;
  }

  /** A new key: {@value #PREFIX} and 32 random bytes, base64url without padding (46 characters). */
  static String newSecret() {
    byte[] bytes = new byte[KEY_BYTES];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A new key id: {@code key_} and 12 random hex digits; says nothing about the key. */
  static String newId() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return "key_" + HexFormat.of().formatHex(bytes);
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

package io.runtrace.query.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The key file: {@code {"keys":[{"id":…,"tenant":…,"environments":[…],"sha256":…,"created":…}]}},
 * one object per key, the key's SHA-256 as 64 hex digits. Written whole to a temporary file
 * and renamed over the old one, so a reader never sees half a file.
 */
final class ApiKeyFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Longest tenant or environment name, as the API's parameters. */
  static final int MAX_NAME_LENGTH = 256;

  private ApiKeyFile() {}

  /** Reads and checks every key; fails with a message naming the file and the entry. */
  static List<ApiKey> read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.path("keys").isArray()) {
      throw new IOException(file + " must be a JSON object with a \"keys\" array");
    }
    List<ApiKey> keys = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    int i = 0;
    for (JsonNode k : root.get("keys")) {
      String where = file + ": keys[" + i++ + "]";
      String id = text(k, "id", where);
      String hash = text(k, "sha256", where);
      if (!hash.matches("[0-9a-f]{64}")) throw new IOException(where + ": sha256 must be 64 lower-case hex digits");
      String tenant = name(text(k, "tenant", where), where + ".tenant");
      Set<String> environments = new LinkedHashSet<>();
      JsonNode envs = k.path("environments");
      if (!envs.isMissingNode() && !envs.isNull()) {
        if (!envs.isArray()) throw new IOException(where + ": environments must be an array of names");
        for (JsonNode e : envs) environments.add(name(e.asText(""), where + ".environments"));
      }
      Instant created;
      try {
        created = Instant.parse(text(k, "created", where));
      } catch (DateTimeParseException e) {
        throw new IOException(where + ": created must be an ISO-8601 UTC time", e);
      }
      if (!ids.add(id)) throw new IOException(where + ": id " + id + " appears twice");
      if (!hashes.add(hash)) throw new IOException(where + ": the same key appears twice");
      keys.add(new ApiKey(id, HexFormat.of().parseHex(hash), tenant, environments, created));
    }
    return keys;
  }

  /** Replaces the file with these keys, readable by its owner only where the file system allows. */
  static void write(Path file, List<ApiKey> keys) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode array = root.putArray("keys");
    for (ApiKey key : keys) {
      ObjectNode k = array.addObject().put("id", key.id()).put("tenant", key.tenant());
      ArrayNode envs = k.putArray("environments");
      key.environments().stream().sorted().forEach(envs::add);
      k.put("sha256", HexFormat.of().formatHex(key.sha256())).put("created", key.created().toString());
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".api-keys", ".tmp");
    try {
      trySetOwnerOnly(tmp);
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void trySetOwnerOnly(Path p) {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      // Not a POSIX file system; the file holds hashes, not keys, so this is hygiene only.
    }
  }

  private static String text(JsonNode k, String field, String where) throws IOException {
    JsonNode v = k.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IOException(where + ": " + field + " must be a non-empty string");
    }
    return v.asText();
  }

  private static String name(String value, String where) throws IOException {
    if (value.isEmpty() || value.length() > MAX_NAME_LENGTH) {
      throw new IOException(where + " must be 1.." + MAX_NAME_LENGTH + " characters");
    }
    return value;
  }
}

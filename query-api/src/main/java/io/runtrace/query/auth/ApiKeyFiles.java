package io.runtrace.query.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Changes to a key file: create a key (its SHA-256 is stored, the key is returned once and
 * kept nowhere), list keys (never a key), revoke one by id. A running service picks up the
 * change at its next poll. Used by {@code bin/runtrace-keys} ({@link ApiKeysMain}) and the demo.
 */
public final class ApiKeyFiles {
  /** The key file the service and {@code bin/runtrace-keys} use when none is given, relative to the working directory. */
  public static final Path DEFAULT_FILE = Path.of(".runtrace", "api-keys.json");

  private ApiKeyFiles() {}

  /** A key just created: its id (for {@code list} and {@code revoke}) and the key, shown once. */
  public record CreatedKey(String id, String key) {}

  /** One key as {@code list} shows it: never the key or its hash. */
  public record KeyInfo(String id, String tenant, List<String> environments, String created) {}

  /** Adds a new key for {@code tenant} (and only these environments, when any), creating the file if needed. */
  public static CreatedKey create(Path file, String tenant, Collection<String> environments, Clock clock)
      throws IOException {
    Objects.requireNonNull(tenant, "tenant");
    if (tenant.isEmpty() || tenant.length() > ApiKeyFile.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("tenant must be 1.." + ApiKeyFile.MAX_NAME_LENGTH + " characters");
    }
    Set<String> envs = new LinkedHashSet<>();
    for (String e : environments) {
      if (e.isEmpty() || e.length() > ApiKeyFile.MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("environment must be 1.." + ApiKeyFile.MAX_NAME_LENGTH + " characters");
      }
      envs.add(e);
    }
    List<ApiKey> keys = Files.exists(file) ? new ArrayList<>(ApiKeyFile.read(file)) : new ArrayList<>();
    String secret = KeyRing.newSecret();
    String id = KeyRing.newId();
    keys.add(new ApiKey(id, KeyRing.sha256(secret), tenant, envs, clock.instant()));
    ApiKeyFile.write(file, keys);
    return new CreatedKey(id, secret);
  }

  /** The keys of the file, in file order. */
  public static List<KeyInfo> list(Path file) throws IOException {
    List<KeyInfo> out = new ArrayList<>();
    for (ApiKey k : ApiKeyFile.read(file)) {
      out.add(new KeyInfo(k.id(), k.tenant(), k.environments().stream().sorted().toList(), k.created().toString()));
    }
    return out;
  }

  /** Removes the key with this id; false when there is none. */
  public static boolean revoke(Path file, String id) throws IOException {
    List<ApiKey> keys = new ArrayList<>(ApiKeyFile.read(file));
    if (!keys.removeIf(k -> k.id().equals(id))) return false;
    ApiKeyFile.write(file, keys);
    return true;
  }

  /** Writes an empty key file (no key is accepted), replacing any. */
  public static void reset(Path file) throws IOException {
    ApiKeyFile.write(file, List.of());
  }
}

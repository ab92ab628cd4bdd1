package io.runtrace.query;

import io.runtrace.query.auth.ApiKeyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A key file in a temporary directory, and the keys it was made with, by name. */
final class TestKeys {
  final Path file;
  private final Map<String, String> keys = new LinkedHashMap<>();

  private TestKeys(Path file) {
    this.file = file;
  }

  /** A file with one key for each tenant, every environment; the key's name is the tenant. */
  static TestKeys forTenants(String... tenants) {
    try {
      TestKeys k = new TestKeys(Files.createTempDirectory("runtrace-keys").resolve("api-keys.json"));
      ApiKeyFiles.reset(k.file);
      for (String t : tenants) k.add(t, t);
      return k;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds a key named {@code name} for {@code tenant}, restricted to {@code environments} when any. */
  TestKeys add(String name, String tenant, String... environments) {
    try {
      keys.put(name, ApiKeyFiles.create(file, tenant, List.of(environments), Clock.systemUTC()).key());
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The key named {@code name}. */
  String key(String name) {
    String k = keys.get(name);
    if (k == null) throw new IllegalArgumentException("no test key " + name);
    return k;
  }

  /** {@code Bearer <key>} for the key named {@code name}. */
  String bearer(String name) {
    return "Bearer " + key(name);
  }
}

package io.runtrace.query.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API keys of the key file, checked on every request and reloaded when the file changes
 * (its modification time, size or inode, polled every {@code reloadInterval}). A reload that
 * fails keeps the keys loaded before, is logged and counted, and shows as {@link #problem()}.
 */
public final class ApiKeys implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ApiKeys.class.getName());
  /** Default interval between checks of the key file for changes: 2 seconds. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(2);

  private final Path file;
  private final AuthFailures failures;
  private final Counter reloadFailures;
  private final ScheduledExecutorService poller;
  private volatile KeyRing ring;
  private volatile Object version;
  private volatile Object failedVersion;
  private volatile String problem;

  private ApiKeys(Path file, KeyRing ring, Object version, MeterRegistry registry, Duration reloadInterval) {
    this.file = file;
    this.ring = ring;
    this.version = version;
    this.failures = new AuthFailures(registry);
    this.reloadFailures = Counter.builder("runtrace.query.api_keys.reload.failures")
        .description("Reloads of the API key file that failed; the keys loaded before stay in use")
        .register(registry);
    Gauge.builder("runtrace.query.api_keys.loaded", this, k -> k.ring.size())
        .description("API keys in use").register(registry);
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "runtrace-api-keys-reload");
      t.setDaemon(true);
      return t;
    });
    long ms = reloadInterval.toMillis();
    poller.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the key file and starts watching it; fails at once when it cannot be read, since a
   * service with no keys would refuse every caller.
   */
  public static ApiKeys open(Path file, Duration reloadInterval, MeterRegistry registry) {
    Objects.requireNonNull(file, "apiKeyFile");
    Objects.requireNonNull(registry, "meterRegistry");
    if (reloadInterval.toMillis() < 10) throw new IllegalArgumentException("apiKeyReloadInterval must be at least 10 ms");
    try {
      Object version = version(file);
      KeyRing ring = new KeyRing(ApiKeyFile.read(file));
      LOG.log(Level.INFO, "{0} API keys loaded from {1}", ring.size(), file);
      return new ApiKeys(file, ring, version, registry, reloadInterval);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("apiKeyFile " + file + " does not exist; create a key with"
          + " bin/runtrace-keys create --tenant <tenant> --file " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException("apiKeyFile " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The caller whose key is in {@code authorization} ({@code Bearer <key>}); throws
   * {@link ApiKeyRejected} when it is missing or unknown, after counting and logging it.
   */
  public Caller authenticate(String authorization, String remoteAddress) {
    if (authorization == null || authorization.isBlank()) {
      failures.refused("missing", remoteAddress, "no API key");
      throw new ApiKeyRejected(false, "this API needs an API key: Authorization: Bearer <key>");
    }
    String token = bearerToken(authorization);
    Optional<ApiKey> key = token == null ? Optional.empty() : ring.find(token);
    if (key.isEmpty()) {
      failures.refused("unknown", remoteAddress, token == null ? "not a Bearer credential" : "unknown API key");
      throw new ApiKeyRejected(true, "the API key is not valid");
    }
    return Caller.of(key.get());
  }

  /** Counts and logs a request refused because it asked for data outside its key's scope. */
  public void forbidden(Caller caller, String remoteAddress) {
    failures.refused("forbidden", remoteAddress, "key " + caller.keyId().orElse("?") + " of tenant "
        + caller.tenant().orElse("?") + " asked outside its tenant or environments");
  }

  /** Why the keys in use may be out of date (the last reload failed), or empty. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Keys in use. */
  public int size() {
    return ring.size();
  }

  /** Reloads the file when it changed since the last load; package-private for tests. */
  void reloadIfChanged() {
    try {
      Object now = Files.exists(file) ? version(file) : "missing";
      if (now.equals(version) || now.equals(failedVersion)) return;
      failedVersion = now;
      if (now.equals("missing")) throw new NoSuchFileException(file.toString());
      KeyRing next = new KeyRing(ApiKeyFile.read(file));
      ring = next;
      version = now;
      failedVersion = null;
      problem = null;
      LOG.log(Level.INFO, "{0} API keys reloaded from {1}", next.size(), file);
    } catch (IOException | RuntimeException e) {
      reloadFailures.increment();
      String reason = "API key file " + file + " could not be reloaded at " + Instant.now() + " ("
          + (e instanceof NoSuchFileException ? "it does not exist" : e.getMessage()) + "); the " + ring.size()
          + " keys loaded before stay in use";
      LOG.log(Level.WARNING, reason);
      problem = reason;
    }
  }

  private static Object version(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return java.util.List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
  }

  /** The credential of {@code Bearer <token>} (scheme case-insensitive), or null when it is not one. */
  static String bearerToken(String authorization) {
    if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String token = authorization.substring(7).strip();
    return token.isEmpty() || token.length() > KeyRing.MAX_KEY_LENGTH ? null : token;
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}

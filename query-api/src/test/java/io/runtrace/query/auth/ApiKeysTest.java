package io.runtrace.query.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void aKeyIsStoredOnlyAsItsHashAndAuthenticatesAsItsTenantAndEnvironments() throws Exception {
    Path file = dir.resolve("keys.json");
    ApiKeyFiles.CreatedKey k = ApiKeyFiles.create(file, "acme", List.of("production", "staging"), Clock.systemUTC());

    assertThat(k.key()).matches("rt_[A-Za-z0-9_-]{43}");
    String stored = Files.readString(file);
    assertThat(stored).doesNotContain(k.key()).doesNotContain(k.key().substring(3))
        .contains("\"id\" : \"" + k.id() + "\"", "\"tenant\" : \"acme\"", "\"sha256\" : \"");
    try (ApiKeys keys = ApiKeys.open(file, Duration.ofSeconds(60), registry)) {
      Caller caller = keys.authenticate("Bearer " + k.key(), "127.0.0.1");
      assertThat(caller.tenant()).hasValue("acme");
      assertThat(caller.environments()).containsExactly("production", "staging");
      assertThat(caller.keyId()).hasValue(k.id());
    }
  }

  @Test
  void missingUnknownAndMalformedCredentialsAreRefusedAndCounted() throws Exception {
    Path file = dir.resolve("keys.json");
    String key = ApiKeyFiles.create(file, "acme", List.of(), Clock.systemUTC()).key();
    try (ApiKeys keys = ApiKeys.open(file, Duration.ofSeconds(60), registry)) {
      assertThat(registry.scrape()).contains(
          "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"missing\"} 0.0",
          "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"unknown\"} 0.0",
          "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"forbidden\"} 0.0");
      assertThatThrownBy(() -> keys.authenticate(null, "10.0.0.1"))
          .isInstanceOfSatisfying(ApiKeyRejected.class, e -> assertThat(e.presented()).isFalse());
      for (String bad : List.of("Bearer " + key.substring(0, 20), "Token " + key, "Bearer " + key + " " + key,
          "Bearer " + "x".repeat(100_000))) {
        assertThatThrownBy(() -> keys.authenticate(bad, "10.0.0.1"))
            .isInstanceOfSatisfying(ApiKeyRejected.class, e -> assertThat(e.presented()).isTrue());
      }
      assertThat(registry.scrape()).contains(
          "runtrace_auth_failures_total{component=\"query-api\",credential=\"api_key\",reason=\"unknown\"} 4.0");
    }
  }

  @Test
  void aChangedFileIsReloadedAndABrokenOneKeepsTheKeysBeforeAndSaysSo() throws Exception {
    Path file = dir.resolve("keys.json");
    ApiKeyFiles.CreatedKey first = ApiKeyFiles.create(file, "acme", List.of(), Clock.systemUTC());
    try (ApiKeys keys = ApiKeys.open(file, Duration.ofSeconds(60), registry)) {
      ApiKeyFiles.CreatedKey second = ApiKeyFiles.create(file, "globex", List.of(), Clock.systemUTC());
      keys.reloadIfChanged();
      assertThat(keys.authenticate("Bearer " + second.key(), "h").tenant()).hasValue("globex");

      assertThat(ApiKeyFiles.revoke(file, first.id())).isTrue();
      keys.reloadIfChanged();
      assertThatThrownBy(() -> keys.authenticate("Bearer " + first.key(), "h")).isInstanceOf(ApiKeyRejected.class);

      Files.writeString(file, "{\"keys\": [ {\"id\": \"k\"", StandardCharsets.UTF_8);
      keys.reloadIfChanged();
      keys.reloadIfChanged();
      assertThat(keys.authenticate("Bearer " + second.key(), "h").tenant()).hasValue("globex");
      assertThat(keys.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("API key file " + file
          + " could not be reloaded at ").contains("is not valid JSON").endsWith("; the 1 keys loaded before stay in use"));
      assertThat(registry.scrape()).contains("runtrace_query_api_keys_reload_failures_total 1.0",
          "runtrace_query_api_keys_loaded 1.0");

      Files.delete(file);
      keys.reloadIfChanged();
      assertThat(keys.problem()).hasValueSatisfying(p -> assertThat(p).contains("(it does not exist)"));

      ApiKeyFiles.create(file, "initech", List.of(), Clock.systemUTC());
      keys.reloadIfChanged();
      assertThat(keys.problem()).isEmpty();
      assertThat(keys.size()).isEqualTo(1);
    }
  }

  @Test
  void theServiceReloadsOnItsOwnWithinTheInterval() throws Exception {
    Path file = dir.resolve("keys.json");
    ApiKeyFiles.reset(file);
    try (ApiKeys keys = ApiKeys.open(file, Duration.ofMillis(20), registry)) {
      String key = ApiKeyFiles.create(file, "acme", List.of(), Clock.systemUTC()).key();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (keys.size() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
      assertThat(keys.authenticate("Bearer " + key, "h").tenant()).hasValue("acme");
    }
  }

  @Test
  void aFileThatCannotBeLoadedAtStartStopsStartUpNamingTheSetting() throws Exception {
    Path file = dir.resolve("keys.json");
    Files.writeString(file, "{\"keys\":[{\"id\":\"k1\",\"tenant\":\"acme\",\"sha256\":\"abc\",\"created\":\"2026-01-01T00:00:00Z\"}]}");

    assertThatThrownBy(() -> ApiKeys.open(file, Duration.ofSeconds(2), registry))
        .hasMessage("apiKeyFile " + file + " cannot be read: " + file + ": keys[0]: sha256 must be 64 lower-case hex digits");
    assertThatThrownBy(() -> ApiKeys.open(dir.resolve("none.json"), Duration.ofSeconds(2), registry))
        .hasMessageStartingWith("apiKeyFile " + dir.resolve("none.json") + " does not exist");
  }
}

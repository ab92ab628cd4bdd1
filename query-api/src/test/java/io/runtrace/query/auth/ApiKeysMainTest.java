package io.runtrace.query.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysMainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return ApiKeysMain.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void createPrintsTheKeyOnceListShowsIdsNeverKeysRevokeRemoves() throws Exception {
    Path file = dir.resolve("keys.json");

    assertThat(run("create", "--tenant", "acme", "--environment", "production", "--file", file.toString())).isZero();
    String key = out.toString(StandardCharsets.UTF_8).strip();
    assertThat(key).matches("rt_[A-Za-z0-9_-]{43}");
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("Created key_")
        .contains("for tenant acme, environments production, in " + file + ". The key is shown only this once:");
    String id = err.toString(StandardCharsets.UTF_8).split(" ")[1];

    assertThat(run("list", "--file", file.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(id, "acme", "production").doesNotContain(key)
        .startsWith("ID ");
    assertThat(Files.readString(file)).doesNotContain(key);

    assertThat(run("revoke", id, "--file", file.toString())).isZero();
    assertThat(run("list", "--file", file.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(id);
    assertThat(run("revoke", id, "--file", file.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no key " + id);
  }

  @Test
  void badUsageSaysWhatIsWrong() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("create", "--file", dir.resolve("k.json").toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("runtrace-keys: create needs --tenant").contains("usage:");
    assertThat(run("create", "--tenant")).isEqualTo(2);
    assertThat(run("rotate")).isEqualTo(2);
    assertThat(run("list", "--file", dir.resolve("none.json").toString())).isEqualTo(1);
  }

  @Test
  void theDefaultFileIsTheServicesDefault() {
    assertThat(ApiKeysMain.defaultFile(Map.of())).isEqualTo(Path.of(".runtrace/api-keys.json"));
    assertThat(ApiKeysMain.defaultFile(Map.of("RUNTRACE_QUERY_API_KEYS_FILE", "/etc/runtrace/keys.json")))
        .isEqualTo(Path.of("/etc/runtrace/keys.json"));
  }
}

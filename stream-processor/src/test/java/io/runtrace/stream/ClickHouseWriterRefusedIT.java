package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ClickHouse refuses the sink's password: nothing is written and nothing is committed, /health
 * says 503 and why, {@code runtrace_auth_failures_total{credential="clickhouse"}} counts it; once
 * the login works every run arrives exactly once and /health is 200 again.
 *
 * <p>How the login gets fixed depends on the engine. 18.16 reloads its users files while it
 * runs, so the test defines its own user in a {@code users.d} file next to the writer's
 * users.xml and changes that user's password on the server: the same processor recovers by
 * itself. The 26.7 server (clickhouse-local) reads its users once at start and refuses
 * {@code CREATE USER} (users come from users.xml only, and {@code SYSTEM RELOAD USERS} does not
 * reread them), so there the processor is refused as {@code writer} with a wrong password and
 * the operator's fix is a restart with the right one, on the same state.
 */
@ForEachClickHouseEngine
class ClickHouseWriterRefusedIT {
  private final ClickHouseEngine engine;

  ClickHouseWriterRefusedIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  @Test
  void aRefusedWriterPasswordKeepsEveryRowShowsInHealthAndMetricsAndRecovers(LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String wrong = "wrong-" + suffix;
    boolean reloads = engine == ClickHouseEngine.V18_16;
    String user = reloads ? "sink_it_" + suffix : StackCredentials.CLICKHOUSE_WRITER_USER;
    Path usersFile = reloads ? usersD(stack).resolve(user + ".xml") : null;
    try (SinkFixture f = new SinkFixture(stack, engine, "refused_it");
        ClickHouseDatabase refused = f.writerAs(user, wrong)) {
      if (reloads) defineUser(f, usersFile, user, "server-side-" + suffix);
      Path state = Files.createTempDirectory("refused-it");
      StreamProcessor p = f.processor(state).clickHouseWriter(refused).httpPort(0).build().start();
      try {
        ProcessorProbe probe = new ProcessorProbe(p);
        assertThat(probe.authFailures("clickhouse")).as("the series exists before any failure").isZero();
        assertThat(probe.authFailures("kafka")).isZero();
        for (int i = 0; i < 30; i++) f.sendRun(i);
        f.producer.flush();

        SinkFixture.await(() -> probe.authFailures("clickhouse") >= 3, Duration.ofMinutes(2),
            "three refused inserts are counted");
        ProcessorProbe.Health health = probe.health();
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body().get("status").asText()).isEqualTo("unavailable");
        assertThat(health.reason())
            .startsWith("ClickHouse at " + f.clickHouse.writerUrl() + " refused the writer's login: ")
            .contains(user)
            .doesNotContain(wrong);
        assertThat(probe.metrics()).doesNotContain(wrong);
        assertThat(f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list")).isZero();
        assertThat(f.readerCount("SELECT count() AS n FROM " + f.database + ".spans")).isZero();
        assertThat(f.sinkCommits()).as("nothing committed while refused").isEmpty();

        if (reloads) {
          defineUser(f, usersFile, user, wrong);
        } else {
          p.close();
          p = f.processor(state).httpPort(0).build().start();
        }
        f.assertExactlyOnceOnReader(Duration.ofMinutes(3));
        StreamProcessor running = p;
        SinkFixture.await(() -> new ProcessorProbe(running).health().status() == 200, Duration.ofMinutes(1),
            "/health is 200 again");
        assertThat(new ProcessorProbe(running).health().body().toString()).isEqualTo("{\"status\":\"ok\"}");
      } finally {
        p.close();
      }
    } finally {
      if (usersFile != null) Files.deleteIfExists(usersFile);
    }
  }

  /** The writer's {@code users.d}, which 18.16 merges into its users.xml and rereads while it runs. */
  private static Path usersD(LocalStack stack) throws IOException {
    Path dir = stack.workDir().resolve("clickhouse-writer");
    assertThat(dir.resolve("users.xml")).as("the 18.16 writer's users.xml (local-stack layout)").exists();
    return Files.createDirectories(dir.resolve("users.d"));
  }

  /** Defines (or redefines) a user with the writer profile on the 18.16 writer and waits until it can log in. */
  private static void defineUser(SinkFixture f, Path file, String user, String password) throws Exception {
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, "<?xml version=\"1.0\"?>\n<yandex><users><" + user + ">"
        + "<password_sha256_hex>" + hash + "</password_sha256_hex>"
        + "<networks><ip>::1</ip><ip>127.0.0.1</ip></networks><profile>writer</profile><quota>default</quota>"
        + "</" + user + "></users></yandex>\n");
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (ClickHouseDatabase login = f.writerAs(user, password)) {
      SinkFixture.await(() -> {
        try {
          login.query("SELECT 1 AS n");
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      }, Duration.ofSeconds(60), "the 18.16 writer reloaded its users");
    }
  }
}

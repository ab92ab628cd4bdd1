package io.runtrace.query;

import io.runtrace.query.auth.Caller;

import static io.runtrace.query.TestRows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.routing.ReaderClient;
import io.runtrace.query.routing.ReaderRouter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API over two readers: which one answers, what the answer says of it, and /health. */
class RunHistoryApiReadersTest {
  private static final Caller ACME = Caller.ofTenant("acme", java.util.List.of());
  private static final Instant NOW = Instant.parse("2025-01-02T03:05:00Z");
  private static RuntimeException connectionRefused;

  private final Reader a = new Reader("http://reader-a:8123");
  private final Reader b = new Reader("http://reader-b:8123");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void realFailure() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (ClickHouseDatabase dead = ClickHouseDatabase.builder().url(URI.create("http://127.0.0.1:" + port))
        .connectTimeout(Duration.ofSeconds(1)).build()) {
      dead.query("SELECT 1");
    } catch (RuntimeException e) {
      connectionRefused = e;
    }
    assertThat(connectionRefused).isNotNull();
  }

  private RunHistoryApi api() {
    ReaderRouter router = ReaderRouter.builder().readers(List.of(a, b)).maxReplicaDelay(Duration.ofSeconds(30))
        .meterRegistry(registry).build();
    router.health();
    QueryMetrics metrics = new QueryMetrics(registry);
    return new RunHistoryApi(router, Clock.fixed(NOW, ZoneOffset.UTC), metrics,
        RunHistoryApi.listSettings(50, 1000, Duration.ofDays(7), Duration.ofDays(31)), 10);
  }

  @Test
  void theAnswerNamesTheFreshReaderThatServedItAndItsDelay() {
    a.delay = 4;
    b.delay = 50;
    RunHistoryApi api = api();

    for (int i = 0; i < 4; i++) {
      JsonNode freshness = api.listRuns(ACME, "tenant=acme").get("freshness");
      assertThat(freshness.get("replica").asText()).isEqualTo("http://reader-a:8123");
      assertThat(freshness.get("replica_delay_s").asLong()).isEqualTo(4);
    }
    JsonNode stats = api.stats(ACME, "tenant=acme");
    assertThat(stats.get("freshness").get("replica").asText()).isEqualTo("http://reader-a:8123");
    assertThat(b.sent).isEmpty();
  }

  @Test
  void aReaderThatFailsMidAnswerIsLeftAndTheWholeAnswerComesFromTheOther() {
    RunHistoryApi api = api();
    a.failAfter = 1;

    for (int i = 0; i < 4; i++) {
      ObjectNode body = api.listRuns(ACME, "tenant=acme");
      assertThat(body.get("runs")).hasSize(1);
      assertThat(body.get("freshness").get("replica").asText()).isEqualTo("http://reader-b:8123");
      JsonNode stats = api.stats(ACME, "tenant=acme");
      assertThat(stats.get("freshness").get("replica").asText()).isEqualTo("http://reader-b:8123");
    }
    assertThat(a.sent).as("one query answered, one failed, then skipped").hasSize(2);
    RunHistoryApi.HealthAnswer health = api.health();
    assertThat(health.ok()).isTrue();
    assertThat(health.readers().get(0).get("up").asBoolean()).isFalse();
    assertThat(health.readers().get(0).get("reason").asText()).isNotBlank();
    assertThat(health.readers().get(1).toString())
        .isEqualTo("{\"reader\":\"http://reader-b:8123\",\"up\":true,\"delay_s\":0}");
  }

  @Test
  void healthIsDownWithEveryReadersReasonWhenNoneIsUp() {
    a.pingOk = false;
    b.pingOk = false;

    RunHistoryApi.HealthAnswer health = api().health();

    assertThat(health.ok()).isFalse();
    assertThat(health.reason()).isEqualTo("no ClickHouse reader is up; http://reader-a:8123: does not answer a ping;"
        + " http://reader-b:8123: does not answer a ping");
    assertThat(health.readers().get(0).toString()).isEqualTo(
        "{\"reader\":\"http://reader-a:8123\",\"up\":false,\"delay_s\":null,\"reason\":\"does not answer a ping\"}");
  }

  /** Answers a page slice with one run and stats queries with nothing; can fail after some queries. */
  private static final class Reader implements ReaderClient {
    private final String name;
    final List<String> sent = new CopyOnWriteArrayList<>();
    volatile long delay;
    volatile boolean pingOk = true;
    /** Queries answered before the reader dies (every further query fails, pings too); -1: never. */
    volatile int failAfter = -1;

    Reader(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String user() {
      return "reader";
    }

    @Override
    public String database() {
      return "runtrace";
    }

    @Override
    public List<JsonNode> query(String sql) {
      if (sql.contains("system.replicas")) {
        return List.of(JsonNodeFactory.instance.objectNode().put("delay", Long.toString(delay)));
      }
      sent.add(sql);
      if (dead()) throw connectionRefused;
      if (sql.contains("run_list") && sql.contains(" AND created_unix_nano < " + NOW.getEpochSecond() * 1_000_000_000L + " ")) {
        return List.of(TestRows.run("r1", "completed", T0, T0 + 7));
      }
      return List.of();
    }

    @Override
    public boolean ping() {
      return pingOk && !dead();
    }

    private boolean dead() {
      return failAfter >= 0 && sent.size() > failAfter;
    }
  }
}

package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Day partitions of the spans table are dropped by age, then oldest first by bytes, on every engine. */
@ForEachClickHouseEngine
class ClickHouseRetentionIT {
  static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");
  static final long DAY_NS = 86_400_000_000_000L;
  private final ClickHouseEngine engine;

  ClickHouseRetentionIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  @Test
  void dropsPartitionsByAgeThenOldestFirstByBytesAndReportsBytes(LocalStack stack) {
    try (SinkFixture f = new SinkFixture(stack, engine, "retention_it")) {
      long now = NOW.getEpochSecond() * 1_000_000_000L;
      for (int daysAgo : new int[] {0, 1, 2, 40, 41}) insertSpans(f, now - daysAgo * DAY_NS, 200);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();

      Map<String, List<String>> byAge = retention(f, Long.MAX_VALUE, registry).runOnce();
      assertThat(registry.get("runtrace.clickhouse.table.retention.bytes").tag("table", "spans").gauge().value())
          .as("no byte budget").isEqualTo(-1);
      assertThat(byAge.get("spans")).containsExactly("20260202", "20260203");
      assertThat(partitions(f)).containsExactly("20260313", "20260314", "20260315");
      assertThat(registry.get("runtrace.retention.dropped.partitions").tag("reason", "age").counter().count())
          .isEqualTo(2);

      long total = bytesOnDisk(f);
      Map<String, List<String>> byBytes = retention(f, total - 1, registry).runOnce();
      assertThat(byBytes.get("spans")).containsExactly("20260313");
      assertThat(partitions(f)).containsExactly("20260314", "20260315");
      assertThat(registry.get("runtrace.clickhouse.table.bytes").tag("table", "spans").gauge().value())
          .isEqualTo((double) bytesOnDisk(f));
      assertThat(registry.get("runtrace.clickhouse.table.retention.bytes").tag("table", "spans").gauge().value())
          .isEqualTo((double) (total - 1));

      Map<String, List<String>> tiny = retention(f, 1, registry).runOnce();
      assertThat(tiny.get("spans")).as("the newest day is never dropped").containsExactly("20260314");
      SinkFixture.await(() -> f.readerCount("SELECT count() AS n FROM " + f.database + ".spans") == 200,
          Duration.ofMinutes(1), "drops replicated to the reader");
    }
  }

  private static ClickHouseRetention retention(SinkFixture f, long maxBytes, SimpleMeterRegistry registry) {
    registry.clear();
    return new ClickHouseRetention(f.sinkWriter, List.of(new ClickHouseRetention.Policy("spans", Duration.ofDays(30),
        maxBytes)), Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC, registry);
  }

  private static void insertSpans(SinkFixture f, long startNs, int rows) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      body.append("{\"trace_id\":\"").append(startNs).append("\",\"span_id\":\"").append(i)
          .append("\",\"name\":\"retention test span with some text to take bytes\",\"start_unix_nano\":")
          .append(startNs + i).append(",\"end_unix_nano\":").append(startNs + i + 1000).append(",\"version\":1}\n");
    }
    f.writer.insertJsonEachRow(f.database + ".spans", body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> partitions(SinkFixture f) {
    return f.writer.query("SELECT DISTINCT partition FROM system.parts WHERE database = '" + f.database
        + "' AND table = 'spans' AND active ORDER BY partition").stream().map(r -> r.get("partition").asText()).toList();
  }

  private static long bytesOnDisk(SinkFixture f) {
    return f.writer.query("SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = '" + f.database
        + "' AND table = 'spans' AND active").get(0).get("b").asLong();
  }
}

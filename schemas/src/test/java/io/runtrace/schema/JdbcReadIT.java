package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a user's JDBC client sees: the clickhouse-jdbc driver (jdbc-v2) reads every column of
 * {@code runs} and {@code spans}, materialized ones too, with its typed ResultSet on 26.7. On
 * 18.16 it cannot: the driver asks for RowBinaryWithNamesAndTypes, which 18.16 lacks, and 18.16
 * answers in TabSeparated, so every SELECT fails.
 */
@ForEachClickHouseEngine
class JdbcReadIT {
  static final long T = 1_763_800_000_123_456_789L;
  private final ClickHouseEngine engine;
  private final ClickHouseDeployment ch;

  JdbcReadIT(ClickHouseEngine engine, LocalStack stack) {
    this.engine = engine;
    this.ch = stack.clickHouse(engine);
  }

  @Test
  void readsEveryColumnOfRunsAndSpans() throws Exception {
    String db = "jdbc_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = SchemaMigratorIT.db(ch.writerUrl(), db)) {
      SchemaMigrator.builder().clickHouse(writer).database(db).replicated(false).build().migrate();
      writer.insertJsonEachRow("runs", ("{\"tenant\":\"acme\",\"environment\":\"prod\",\"run_id\":\"run_1\","
          + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"app\":\"billing\",\"function\":\"charge-card\","
          + "\"status\":\"failed\",\"stale\":1,\"queued_unix_nano\":" + T + ",\"started_unix_nano\":" + (T + 1)
          + ",\"ended_unix_nano\":" + (T + 2) + ",\"last_span_unix_nano\":" + (T + 3) + ",\"created_unix_nano\":" + T
          + ",\"updated_unix_nano\":" + (T + 4) + ",\"span_count\":7,\"attempts\":3,\"error\":\"card declined\","
          + "\"error_span_id\":\"00f067aa0ba902b7\",\"version\":5}\n").getBytes(StandardCharsets.UTF_8));
      writer.insertJsonEachRow("spans", ("{\"tenant\":\"acme\",\"environment\":\"prod\","
          + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
          + "\"parent_span_id\":\"53995c3f42cd8ad8\",\"run_id\":\"run_1\",\"app\":\"billing\",\"function\":\"charge-card\","
          + "\"step\":\"reserve\",\"attempt\":2,\"name\":\"step reserve\",\"kind\":\"internal\",\"service\":\"executor\","
          + "\"start_unix_nano\":" + T + ",\"end_unix_nano\":" + (T + 1_000_000_000L) + ",\"status_code\":\"error\","
          + "\"status_message\":\"card declined\",\"attr_keys\":[\"runtrace.step\",\"http.method\"],"
          + "\"attr_values\":[\"reserve\",\"POST\"],\"resource_keys\":[\"service.name\"],\"resource_values\":[\"executor\"],"
          + "\"events\":\"[]\",\"trimmed\":1,\"version\":9}\n").getBytes(StandardCharsets.UTF_8));

      String url = "jdbc:clickhouse://" + ch.writerUrl().getAuthority() + "/" + db;
      if (engine == ClickHouseEngine.V18_16) {
        // 18.16 ignores the format the driver asks for and answers in TabSeparated, which the driver can't read.
        assertThatThrownBy(() -> readAll(url, columns(writer, "runs"), db + ".runs")).isInstanceOf(SQLException.class)
            .hasMessageStartingWith("executeQuery() requires a ResultSet");
        writer.dropDatabaseIfExists(db);
        return;
      }
      Map<String, Object> run = readAll(url, columns(writer, "runs"), db + ".runs");
      assertThat(run).hasSize(20).containsEntry("tenant", "acme").containsEntry("status", "failed")
          .containsEntry("stale", 1L).containsEntry("span_count", 7L).containsEntry("attempts", 3L)
          .containsEntry("queued_unix_nano", BigInteger.valueOf(T)).containsEntry("version", BigInteger.valueOf(5))
          .containsEntry("error", "card declined")
          .containsEntry("created_time", Timestamp.from(Instant.ofEpochSecond(T / 1_000_000_000L)));
      Map<String, Object> span = readAll(url, columns(writer, "spans"), db + ".spans");
      assertThat(span).hasSize(26).containsEntry("span_id", "00f067aa0ba902b7").containsEntry("attempt", 2L)
          .containsEntry("attr_keys", List.of("runtrace.step", "http.method"))
          .containsEntry("attr_values", List.of("reserve", "POST")).containsEntry("trimmed", 1L)
          .containsEntry("end_unix_nano", BigInteger.valueOf(T + 1_000_000_000L))
          .containsEntry("duration_ns", BigInteger.valueOf(1_000_000_000L))
          .containsEntry("start_time", Timestamp.from(Instant.ofEpochSecond(T / 1_000_000_000L)));
      writer.dropDatabaseIfExists(db);
    }
  }

  /**
   * Every column of the table's one row, materialized ones named explicitly, each read with the
   * typed getter its JDBC type calls for: strings, integers, timestamps and arrays.
   */
  /** Every column of the table, materialized ones too, in table order. */
  private static List<String> columns(ClickHouseDatabase db, String table) {
    List<String> columns = new ArrayList<>();
    db.query("SELECT name FROM system.columns WHERE database = '" + db.database() + "' AND table = '" + table + "'")
        .forEach(r -> columns.add(r.get("name").asText()));
    return columns;
  }

  private static Map<String, Object> readAll(String url, List<String> columns, String table) throws SQLException {
    Properties credentials = new Properties();
    credentials.setProperty("user", "default");
    credentials.setProperty("password", "");
    // The driver itself, as a BI tool loads it: the test JVM's DriverManager does not see it.
    try (Connection c = new com.clickhouse.jdbc.Driver().connect(url, credentials); Statement st = c.createStatement()) {
      Map<String, Object> row = new LinkedHashMap<>();
      try (ResultSet rs = st.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + table + " FINAL")) {
        ResultSetMetaData meta = rs.getMetaData();
        assertThat(rs.next()).isTrue();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String type = meta.getColumnTypeName(i);
          Object value;
          if (type.startsWith("Array")) {
            Array array = rs.getArray(i);
            value = List.of((Object[]) array.getArray());
          } else if (type.startsWith("DateTime")) {
            value = rs.getTimestamp(i);
          } else if (type.equals("UInt64")) {
            value = rs.getObject(i, BigInteger.class);
          } else if (type.startsWith("UInt")) {
            value = rs.getLong(i);
          } else {
            value = rs.getString(i);
          }
          assertThat(value).as(meta.getColumnName(i) + " " + type).isNotNull();
          row.put(meta.getColumnName(i), value);
        }
        assertThat(rs.next()).isFalse();
      }
      return row;
    }
  }
}

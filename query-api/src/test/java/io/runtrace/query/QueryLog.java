package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a query read, as the server counted it in {@code system.query_log} (18.16 and 26.7 alike). */
final class QueryLog {
  private QueryLog() {}

  record Read(long rows, long bytes) {}

  /** Runs {@code sql} once, logged under a fresh query id, and returns the rows and bytes it read. */
  static Read of(ClickHouseDatabase db, String sql) {
    String id = "bench-" + UUID.randomUUID();
    db.query(sql, Map.of("log_queries", "1", "query_id", id));
    List<JsonNode> rows = List.of();
    // Under load a server may log the query after the flush returns: look again for a few seconds.
    for (long deadline = System.nanoTime() + 10_000_000_000L; rows.isEmpty() && System.nanoTime() < deadline; ) {
      db.execute("SYSTEM FLUSH LOGS");
      rows = db.queryInDefault("SELECT read_rows, read_bytes FROM system.query_log WHERE query_id = "
          + ClickHouseSql.literal(id) + " AND CAST(type AS Int8) = 2"); // QueryFinish: UInt8 on 18.16, Enum8 on 26.7
    }
    if (rows.isEmpty()) throw new IllegalStateException("no query_log entry for " + id + " on " + db.url());
    return new Read(Rows.longValue(rows.get(0), "read_rows"), Rows.longValue(rows.get(0), "read_bytes"));
  }
}

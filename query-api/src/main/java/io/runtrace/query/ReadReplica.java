package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.util.List;

/**
 * What the API needs from a ClickHouse reader replica: run a query, answer a ping. An interface
 * so that the routing can be tested without a server; production always wraps the reader
 * {@link ClickHouseDatabase}.
 */
interface ReadReplica {
  /** Rows of a SELECT (no FORMAT clause), each a JSON object. */
  List<JsonNode> query(String sql);

  /** True when the replica answers. */
  boolean ping();

  /** The database that holds {@code runs} and {@code spans}. */
  String database();

  static ReadReplica of(ClickHouseDatabase reader) {
    return new ReadReplica() {
      @Override
      public List<JsonNode> query(String sql) {
        return reader.query(sql);
      }

      @Override
      public boolean ping() {
        return reader.ping();
      }

      @Override
      public String database() {
        return reader.database();
      }
    };
  }
}

package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.routing.ReaderClient;
import java.util.List;

/**
 * What the API needs from a ClickHouse reader replica: run a query, answer a ping. An interface
 * so that the routing can be tested without a server; production always wraps the reader
 * {@link ClickHouseDatabase}.
 */
interface ReadReplica extends ReaderClient {
  /** Rows of a SELECT (no FORMAT clause), each a JSON object. */
  @Override
  List<JsonNode> query(String sql);

  /** True when the replica answers. */
  @Override
  boolean ping();

  /** The database that holds {@code runs} and {@code spans}. */
  @Override
  String database();

  /** How answers name the replica; a test's or a tool's replica need not say. */
  @Override
  default String name() {
    return "reader";
  }

  @Override
  default String user() {
    return "default";
  }

  static ReadReplica of(ClickHouseDatabase reader) {
    return new ReadReplica() {
      @Override
      public String name() {
        return reader.url().toString();
      }

      @Override
      public String user() {
        return reader.user();
      }

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

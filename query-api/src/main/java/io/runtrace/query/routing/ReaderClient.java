package io.runtrace.query.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.util.List;

/**
 * One ClickHouse reader replica as the router sees it: a name for answers, health and metrics,
 * the user it connects as (for logs), a query and a ping. An interface so that routing can be
 * tested without servers; production wraps a {@link ClickHouseDatabase}.
 */
public interface ReaderClient {
  /** How answers, {@code /health} and the metrics name this reader: its URL. */
  String name();

  /** The ClickHouse user the reader is queried as; never the password. */
  String user();

  /** The database that holds the read model. */
  String database();

  /** Rows of a SELECT (no FORMAT clause), each a JSON object; a failure throws. */
  List<JsonNode> query(String sql);

  /** True when the server answers a ping (which needs no credential). */
  boolean ping();

  /** The reader behind {@code database}, named by its URL. */
  static ReaderClient of(ClickHouseDatabase database) {
    return new ReaderClient() {
      @Override
      public String name() {
        return database.url().toString();
      }

      @Override
      public String user() {
        return database.user();
      }

      @Override
      public String database() {
        return database.database();
      }

      @Override
      public List<JsonNode> query(String sql) {
        return database.query(sql);
      }

      @Override
      public boolean ping() {
        return database.ping();
      }
    };
  }
}

package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.query.routing.ReaderClient;
import java.util.List;

/**
 * A reader replica as tests and tools hand one to {@link RunHistoryApi}: run a query, answer a
 * ping. The service itself routes over {@link ReaderClient#of} of each reader.
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
}

package io.runtrace.query.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.OptionalLong;

/**
 * The reader chosen for one read: every query of the read goes to it, so an answer comes from
 * one replica and names it. A query that fails because the reader went away marks it down at
 * once and makes {@link ReaderRouter#read} try the read on another reader.
 */
public final class ServingReader {
  private final ReaderState state;
  private final ReaderRouter router;
  private final long delaySeconds;
  private volatile boolean failedOver;

  ServingReader(ReaderState state, ReaderRouter router) {
    this.state = state;
    this.router = router;
    this.delaySeconds = state.delaySeconds();
  }

  /** Rows of a SELECT on this reader. */
  public List<JsonNode> query(String sql) {
    try {
      return state.client.query(sql);
    } catch (RuntimeException e) {
      if (router.failed(state, e)) failedOver = true;
      throw e;
    }
  }

  /** The reader's name (its URL), as answers show it. */
  public String name() {
    return state.name();
  }

  /** Its replication delay in seconds at the last check when it was chosen; empty before the first check. */
  public OptionalLong delaySeconds() {
    return delaySeconds < 0 ? OptionalLong.empty() : OptionalLong.of(delaySeconds);
  }

  boolean failedOver() {
    return failedOver;
  }
}

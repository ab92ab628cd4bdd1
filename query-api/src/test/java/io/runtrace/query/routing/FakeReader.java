package io.runtrace.query.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reader whose health and failures a test sets: it answers the delay query with {@code delay},
 * other queries with a row naming itself, and throws {@code failure} (a real client exception)
 * when set.
 */
final class FakeReader implements ReaderClient {
  private final String name;
  private final String database;
  volatile long delay;
  volatile boolean pingOk = true;
  volatile RuntimeException failure;
  /** When set, reads wait for it (the delay query does not). */
  volatile CountDownLatch hold;
  final AtomicInteger reads = new AtomicInteger();

  FakeReader(String name) {
    this(name, "runtrace");
  }

  FakeReader(String name, String database) {
    this.name = name;
    this.database = database;
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
    return database;
  }

  @Override
  public List<JsonNode> query(String sql) {
    RuntimeException f = failure;
    if (sql.contains("system.replicas")) {
      if (f != null) throw f;
      return List.of(JsonNodeFactory.instance.objectNode().put("delay", Long.toString(delay)));
    }
    reads.incrementAndGet();
    CountDownLatch h = hold;
    if (h != null) {
      try {
        h.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (f != null) throw f;
    return List.of(JsonNodeFactory.instance.objectNode().put("served_by", name));
  }

  @Override
  public boolean ping() {
    return pingOk;
  }
}

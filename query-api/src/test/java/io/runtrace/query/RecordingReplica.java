package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** A reader replica that records every statement it is sent into {@code sent}, then answers it. */
final class RecordingReplica implements ReadReplica {
  private final String database;
  private final Function<String, List<JsonNode>> answers;
  private final BooleanSupplier ping;
  private final List<String> sent;

  RecordingReplica(String database, Function<String, List<JsonNode>> answers, BooleanSupplier ping, List<String> sent) {
    this.database = database;
    this.answers = answers;
    this.ping = ping;
    this.sent = sent;
  }

  @Override
  public List<JsonNode> query(String sql) {
    sent.add(sql);
    return answers.apply(sql);
  }

  @Override
  public boolean ping() {
    return ping.getAsBoolean();
  }

  @Override
  public String database() {
    return database;
  }
}

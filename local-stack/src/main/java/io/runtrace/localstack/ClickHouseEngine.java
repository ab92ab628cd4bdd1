package io.runtrace.localstack;

import java.util.ArrayList;
import java.util.List;

/**
 * The ClickHouse engines a local stack can run. 18.16 is Debian's {@code clickhouse-server}: two
 * replicas ({@code writer}, {@code reader}) that replicate through ZooKeeper. 26.7 is chDB's
 * library serving HTTP: one server, no replication (clickhouse-local serves no interserver
 * traffic), so its writer and reader are the same server.
 */
public enum ClickHouseEngine {
  V18_16("18.16", true),
  V26_7("26.7", false);

  private final String label;
  private final boolean replicated;

  ClickHouseEngine(String label, boolean replicated) {
    this.label = label;
    this.replicated = replicated;
  }

  /** {@code 18.16} or {@code 26.7}. */
  public String label() {
    return label;
  }

  /** True when the stack runs this engine as a writer and a reader replica. */
  public boolean replicated() {
    return replicated;
  }

  /** Parses {@code 18.16} or {@code 26.7}; the message names {@code setting} and the choices. */
  public static ClickHouseEngine parse(String value, String setting) {
    for (ClickHouseEngine e : values()) {
      if (e.label.equals(value == null ? null : value.trim())) return e;
    }
    throw new IllegalArgumentException(setting + " must be 18.16 or 26.7, was \"" + value + "\"");
  }

  /** Parses a comma-separated list such as {@code 18.16,26.7}; fails naming {@code setting}. */
  public static List<ClickHouseEngine> parseList(String value, String setting) {
    List<ClickHouseEngine> engines = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) engines.add(parse(part, setting));
    }
    if (engines.isEmpty()) throw new IllegalArgumentException(setting + " must name 18.16 and/or 26.7, was empty");
    return engines;
  }

  @Override
  public String toString() {
    return "ClickHouse " + label;
  }
}

package io.runtrace.localstack;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The users of every local ClickHouse server, 18.16 and 26.7 alike (both read a {@code <yandex>}
 * users file), loopback only:
 * <ul>
 *   <li>{@code default}, no password, profile {@code default}: the administrator (DDL, test fixtures);
 *   <li>{@code writer} ({@link StackCredentials}), profile {@code writer}: the sink;
 *   <li>{@code reader}, profile {@code reader}: the query API. {@code readonly=2} refuses INSERT
 *       and DDL but lets a SELECT carry settings such as {@code max_execution_time} (the client
 *       sends some with every query); the profile's guards bound what one query may do. 26.7 also
 *       gets constraints, so a query cannot raise a guard above the profile's value; 18.16 has no
 *       settings constraints.
 * </ul>
 * Passwords are stored as SHA-256 ({@code password_sha256_hex}), which both engines read.
 */
final class ClickHouseUsers {
  private ClickHouseUsers() {}

  /**
   * Guards of the reader profile: name, value, and its 26.7 constraint. A query may lower the two
   * limits the client sends with every query, never to 0 (unlimited); the others are fixed.
   */
  static final String[][] READER_GUARDS = {
      {"max_execution_time", "30", "<min>1</min><max>30</max>"},
      {"max_memory_usage", "1000000000", "<const/>"},
      {"max_rows_to_read", "20000000", "<const/>"},
      {"max_result_rows", "100000", "<min>1</min><max>100000</max>"},
      {"max_concurrent_queries_for_user", "32", "<const/>"},
  };

  private static final String NETWORKS =
      "      <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>\n";

  static String xml(ClickHouseEngine engine) {
    return "<?xml version=\"1.0\"?>\n<yandex>\n"
        + "  <profiles>\n"
        // No max_execution_time in profile default: on 26.7 the keep-alive query runs under it.
        + "    <default>\n"
        + "      <max_memory_usage>2000000000</max_memory_usage>\n"
        + "      <use_uncompressed_cache>0</use_uncompressed_cache>\n"
        + "      <load_balancing>random</load_balancing>\n"
        + "    </default>\n"
        + "    <writer>\n"
        + "      <max_memory_usage>2000000000</max_memory_usage>\n"
        + "      <max_execution_time>300</max_execution_time>\n"
        + "      <load_balancing>random</load_balancing>\n"
        + "    </writer>\n"
        + "    <reader>\n"
        + "      <readonly>2</readonly>\n"
        + "      <load_balancing>random</load_balancing>\n"
        + guards(engine)
        + "    </reader>\n"
        + "  </profiles>\n"
        + "  <users>\n"
        + user("default", null, "default")
        + user(StackCredentials.CLICKHOUSE_WRITER_USER, StackCredentials.CLICKHOUSE_WRITER_PASSWORD, "writer")
        + user(StackCredentials.CLICKHOUSE_READER_USER, StackCredentials.CLICKHOUSE_READER_PASSWORD, "reader")
        + "  </users>\n"
        + "  <quotas>\n"
        + "    <default>\n"
        + "      <interval>\n"
        + "        <duration>3600</duration>\n"
        + "        <queries>0</queries>\n"
        + "        <errors>0</errors>\n"
        + "        <result_rows>0</result_rows>\n"
        + "        <read_rows>0</read_rows>\n"
        + "        <execution_time>0</execution_time>\n"
        + "      </interval>\n"
        + "    </default>\n"
        + "  </quotas>\n"
        + "</yandex>\n";
  }

  private static String guards(ClickHouseEngine engine) {
    StringBuilder xml = new StringBuilder();
    for (String[] g : READER_GUARDS) xml.append("      <").append(g[0]).append('>').append(g[1]).append("</").append(g[0]).append(">\n");
    if (engine == ClickHouseEngine.V26_7) {
      // Under FINAL, current releases prune partitions only by sorting-key columns; ours are by
      // created_time, derived from the key's created_unix_nano, so every version of a row is in
      // one partition and pruning first is safe. Without it, a keyed read touches every day.
      xml.append("      <defer_partition_pruning_after_final>0</defer_partition_pruning_after_final>\n");
      xml.append("      <constraints>\n");
      for (String[] g : READER_GUARDS) {
        xml.append("        <").append(g[0]).append('>').append(g[2]).append("</").append(g[0]).append(">\n");
      }
      xml.append("      </constraints>\n");
    }
    return xml.toString();
  }

  private static String user(String name, String password, String profile) {
    return "    <" + name + ">\n"
        + (password == null ? "      <password></password>\n"
            : "      <password_sha256_hex>" + sha256(password) + "</password_sha256_hex>\n")
        + NETWORKS
        + "      <profile>" + profile + "</profile>\n"
        + "      <quota>default</quota>\n"
        + "    </" + name + ">\n";
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}

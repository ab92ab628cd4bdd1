package io.runtrace.localstack;

/**
 * The users of every local ClickHouse server, 18.16 and 26.7 alike (both read a {@code <yandex>}
 * users file): {@code default} and {@code writer} with profile {@code default}, and {@code reader}
 * with profile {@code reader} ({@code readonly=2}, so a SELECT may still carry settings such as
 * {@code max_execution_time}). No passwords; loopback only.
 */
final class ClickHouseUsers {
  private ClickHouseUsers() {}

  private static final String NETWORKS =
      "      <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>\n";

  private static String user(String name, String profile) {
    return "    <" + name + ">\n"
        + "      <password></password>\n"
        + NETWORKS
        + "      <profile>" + profile + "</profile>\n"
        + "      <quota>default</quota>\n"
        + "    </" + name + ">\n";
  }

  // No max_execution_time in profile default: on 26.7 the keep-alive query runs under it.
  static final String XML = "<?xml version=\"1.0\"?>\n<yandex>\n"
      + "  <profiles>\n"
      + "    <default>\n"
      + "      <max_memory_usage>2000000000</max_memory_usage>\n"
      + "      <use_uncompressed_cache>0</use_uncompressed_cache>\n"
      + "      <load_balancing>random</load_balancing>\n"
      + "    </default>\n"
      + "    <readonly>\n"
      + "      <readonly>1</readonly>\n"
      + "    </readonly>\n"
      + "    <reader>\n"
      + "      <max_memory_usage>2000000000</max_memory_usage>\n"
      + "      <load_balancing>random</load_balancing>\n"
      + "      <readonly>2</readonly>\n"
      + "    </reader>\n"
      + "  </profiles>\n"
      + "  <users>\n"
      + user("default", "default")
      + user("writer", "default")
      + user("reader", "reader")
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

package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes config.xml and users.xml for one ClickHouse 18.16 replica, from scratch. */
final class ClickHouseConfig {
  private ClickHouseConfig() {}

  /** Ports of the server being configured, and the native TCP ports of every cluster member. */
  record Ports(int http, int tcp, int interserver, int zookeeper, java.util.List<Integer> clusterTcp) {}

  static Path write(Path dir, String replica, Ports ports) {
    Path config = dir.resolve("config.xml");
    try {
      for (String sub : new String[] {"data/tmp", "data/user_files", "data/format_schemas", "logs"}) {
        Files.createDirectories(dir.resolve(sub));
      }
      Files.writeString(config, configXml(dir, replica, ports));
      Files.writeString(dir.resolve("users.xml"), ClickHouseUsers.xml(ClickHouseEngine.V18_16));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write ClickHouse config in " + dir, e);
    }
    return config;
  }

  static Path logFile(Path dir) {
    return dir.resolve("logs/clickhouse-server.log");
  }

  /** Both engines: warnings and errors to {@code logs/}, 50 MB × 3 files each. */
  static String loggerXml(Path dir) {
    return "  <logger>\n"
        + "    <level>warning</level>\n"
        + "    <log>" + logFile(dir) + "</log>\n"
        + "    <errorlog>" + dir.resolve("logs/clickhouse-server.err.log") + "</errorlog>\n"
        + "    <size>50M</size>\n"
        + "    <count>3</count>\n"
        + "  </logger>\n";
  }

  /** {@code system.query_log}, flushed every 7.5 s; {@code extra} is more of its elements (a TTL). */
  static String queryLogXml(String extra) {
    return "  <query_log>\n"
        + "    <database>system</database>\n"
        + "    <table>query_log</table>\n"
        + "    <flush_interval_milliseconds>7500</flush_interval_milliseconds>\n"
        + extra
        + "  </query_log>\n";
  }

  private static String configXml(Path dir, String replica, Ports p) {
    Path data = dir.resolve("data");
    return "<?xml version=\"1.0\"?>\n<yandex>\n"
        + loggerXml(dir)
        + "  <listen_host>127.0.0.1</listen_host>\n"
        + "  <http_port>" + p.http() + "</http_port>\n"
        + "  <tcp_port>" + p.tcp() + "</tcp_port>\n"
        + "  <interserver_http_port>" + p.interserver() + "</interserver_http_port>\n"
        + "  <interserver_http_host>127.0.0.1</interserver_http_host>\n"
        + "  <max_connections>1024</max_connections>\n"
        + "  <keep_alive_timeout>3</keep_alive_timeout>\n"
        + "  <max_concurrent_queries>100</max_concurrent_queries>\n"
        + "  <uncompressed_cache_size>268435456</uncompressed_cache_size>\n"
        + "  <mark_cache_size>268435456</mark_cache_size>\n"
        + "  <path>" + data + "/</path>\n"
        + "  <tmp_path>" + data + "/tmp/</tmp_path>\n"
        + "  <user_files_path>" + data + "/user_files/</user_files_path>\n"
        + "  <format_schema_path>" + data + "/format_schemas/</format_schema_path>\n"
        + "  <users_config>" + dir.resolve("users.xml") + "</users_config>\n"
        + "  <default_profile>default</default_profile>\n"
        + "  <default_database>default</default_database>\n"
        + "  <mlock_executable>false</mlock_executable>\n"
        // Only queries that ask (log_queries=1, off by default on 18.16) land here: benchmarks read rows read.
        + queryLogXml("")
        + "  <zookeeper>\n"
        + "    <node index=\"1\"><host>127.0.0.1</host><port>" + p.zookeeper() + "</port></node>\n"
        + "    <session_timeout_ms>10000</session_timeout_ms>\n"
        + "  </zookeeper>\n"
        + "  <macros>\n"
        + "    <shard>01</shard>\n"
        + "    <replica>" + replica + "</replica>\n"
        + "  </macros>\n"
        + "  <remote_servers>\n"
        + "    <runtrace>\n"
        + "      <shard>\n"
        + "        <internal_replication>true</internal_replication>\n"
        + replicas(p.clusterTcp())
        + "      </shard>\n"
        + "    </runtrace>\n"
        + "  </remote_servers>\n"
        + "  <distributed_ddl>\n"
        + "    <path>/clickhouse/task_queue/ddl</path>\n"
        + "  </distributed_ddl>\n"
        + "</yandex>\n";
  }

  private static String replicas(java.util.List<Integer> tcpPorts) {
    StringBuilder xml = new StringBuilder();
    for (int port : tcpPorts) xml.append("        <replica><host>127.0.0.1</host><port>").append(port).append("</port></replica>\n");
    return xml.toString();
  }
}

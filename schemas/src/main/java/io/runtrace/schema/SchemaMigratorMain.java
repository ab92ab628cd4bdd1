package io.runtrace.schema;

import io.runtrace.clickhouse.ClickHouseDatabase;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link SchemaMigrator} once from environment variables (the module README's table) and
 * prints what it applied per server. Exit status 2 for a bad setting, 1 when migrating failed.
 */
public final class SchemaMigratorMain {
  private SchemaMigratorMain() {}

  public static void main(String[] args) {
    List<ClickHouseDatabase> servers = new ArrayList<>();
    SchemaMigrator migrator;
    try {
      migrator = fromEnvironment(System.getenv(), servers);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("runtrace schema: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      migrator.migrate().forEach((server, versions) -> System.out.println("runtrace schema: " + server
          + (versions.isEmpty() ? " was up to date" : " applied " + versions)));
    } catch (RuntimeException e) {
      System.err.println("runtrace schema: " + e.getMessage());
      System.exit(1);
    } finally {
      servers.forEach(ClickHouseDatabase::close);
    }
  }

  /** The migrator {@code env} describes; the servers it opens are added to {@code opened}. */
  static SchemaMigrator fromEnvironment(Map<String, String> env, List<ClickHouseDatabase> opened) {
    SchemaMigrator.Builder b = SchemaMigrator.builder();
    String database = env.getOrDefault("RUNTRACE_CLICKHOUSE_DATABASE", "runtrace");
    apply("RUNTRACE_CLICKHOUSE_DATABASE", () -> b.database(database));
    apply("RUNTRACE_CLICKHOUSE_REPLICATED", () -> b.replicated(bool(env.getOrDefault("RUNTRACE_CLICKHOUSE_REPLICATED", "true"))));
    List<String> urls = new ArrayList<>(List.of(env.getOrDefault("RUNTRACE_CLICKHOUSE_WRITER_URL", "http://127.0.0.1:8123")));
    for (String reader : env.getOrDefault("RUNTRACE_CLICKHOUSE_READER_URLS", "").split(",")) {
      if (!reader.isBlank()) urls.add(reader.trim());
    }
    for (int i = 0; i < urls.size(); i++) {
      String variable = i == 0 ? "RUNTRACE_CLICKHOUSE_WRITER_URL" : "RUNTRACE_CLICKHOUSE_READER_URLS";
      String url = urls.get(i);
      apply(variable, () -> {
        ClickHouseDatabase server = ClickHouseDatabase.builder().url(URI.create(url))
            .user(env.getOrDefault("RUNTRACE_CLICKHOUSE_USER", "default"))
            .password(env.getOrDefault("RUNTRACE_CLICKHOUSE_PASSWORD", "")).database(database).build();
        opened.add(server);
        b.clickHouse(server);
      });
    }
    String kafka = env.get("RUNTRACE_KAFKA_BOOTSTRAP");
    if (kafka != null && !kafka.isBlank()) {
      apply("RUNTRACE_KAFKA_BOOTSTRAP", () -> b.kafkaBootstrapServers(kafka));
      String partitions = env.get("RUNTRACE_TOPIC_PARTITIONS");
      if (partitions != null) apply("RUNTRACE_TOPIC_PARTITIONS", () -> b.partitions(Integer.parseInt(partitions.trim())));
      String factor = env.get("RUNTRACE_TOPIC_REPLICATION_FACTOR");
      if (factor != null) apply("RUNTRACE_TOPIC_REPLICATION_FACTOR", () -> b.replicationFactor(Integer.parseInt(factor.trim())));
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + " (RUNTRACE_CLICKHOUSE_REPLICATED, RUNTRACE_CLICKHOUSE_READER_URLS)", e);
    }
  }

  private static boolean bool(String value) {
    return switch (value.trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("must be true or false, was \"" + value + "\"");
    };
  }

  private static void apply(String variable, Runnable setter) {
    try {
      setter.run();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(variable + ": " + e.getMessage(), e);
    }
  }
}

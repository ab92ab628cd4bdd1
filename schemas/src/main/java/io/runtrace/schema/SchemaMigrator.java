package io.runtrace.schema;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseDialect;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.model.RuntraceTopics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Brings ClickHouse and Kafka to the schema runtrace needs: applies the numbered DDL files in
 * {@code io/runtrace/schema/clickhouse/} to every server given (writer and reader replicas
 * alike, since replicated tables exist on each), with {@code Replicated*} engines on a cluster
 * or plain ones on a single server ({@link Builder#replicated(boolean)}), and creates the topics
 * with byte and time retention. Idempotent: run it at every start.
 */
public final class SchemaMigrator {
  private final Builder b;

  private SchemaMigrator(Builder b) {
    this.b = b;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Applies what is missing; returns, per server URL, the migration versions applied now. */
  public Map<String, List<Integer>> migrate() {
    Map<String, List<Integer>> applied = new LinkedHashMap<>();
    List<ClickHouseMigration> migrations = ClickHouseMigration.loadAll();
    for (int i = 0; i < b.servers.size(); i++) {
      ClickHouseDatabase server = b.servers.get(i);
      applied.put(server.url().toString(),
          new ClickHouseMigrator(server, b.database, b.replicated, i == 0).migrate(migrations));
    }
    if (b.kafkaBootstrapServers != null) {
      new KafkaTopicCreator(b.kafkaBootstrapServers, b.replicationFactor, b.timeoutMs).ensure(topics());
    }
    return applied;
  }

  /** The topic specifications this migrator creates. */
  List<TopicSpec> topics() {
    return List.of(
        TopicSpec.spans(b.spansTopic, b.partitions, b.retentionMs, b.retentionBytesPerPartition),
        TopicSpec.spans(b.enrichedTopic, b.partitions, b.retentionMs, b.retentionBytesPerPartition),
        TopicSpec.runs(b.runsTopic, b.partitions, b.runsRetentionMs, b.retentionBytesPerPartition),
        TopicSpec.spans(b.deadLetterTopic, 1, b.retentionMs, b.deadLetterRetentionBytes));
  }

  /** The ClickHouse DDL this migrator applies, in order, for a database, topology and dialect. */
  public static List<String> clickHouseStatements(String database, boolean replicated, ClickHouseDialect dialect) {
    ClickHouseDdl ddl = new ClickHouseDdl(ClickHouseSql.identifier(database), replicated, dialect);
    List<String> out = new ArrayList<>();
    ClickHouseMigration.loadAll().forEach(m -> out.addAll(m.statements(ddl)));
    return out;
  }

  /** Settings; every setter validates and names the setting. */
  public static final class Builder {
    private final List<ClickHouseDatabase> servers = new ArrayList<>();
    private String database = "runtrace";
    private boolean replicated = true;
    private String kafkaBootstrapServers;
    private short replicationFactor = 1;
    private int partitions = 6;
    private long retentionMs = 7 * TopicSpec.DAY_MS;
    private long runsRetentionMs = 30 * TopicSpec.DAY_MS;
    private long retentionBytesPerPartition = 1024 * TopicSpec.MIB;
    private long deadLetterRetentionBytes = 256 * TopicSpec.MIB;
    private long timeoutMs = 30_000;
    private String spansTopic = RuntraceTopics.SPANS;
    private String enrichedTopic = RuntraceTopics.SPANS_ENRICHED;
    private String runsTopic = RuntraceTopics.RUNS;
    private String deadLetterTopic = RuntraceTopics.DEAD_LETTER;

    private Builder() {}

    /** A ClickHouse server to migrate; add the writer first, then every reader replica. */
    public Builder clickHouse(ClickHouseDatabase server) {
      servers.add(Objects.requireNonNull(server, "clickhouse server"));
      return this;
    }

    /** The ClickHouse database. Default {@code runtrace}. */
    public Builder database(String database) {
      this.database = ClickHouseSql.identifier(database);
      return this;
    }

    /**
     * {@code Replicated*} engines (with the {@code {shard}} and {@code {replica}} macros) for a
     * cluster with ZooKeeper or Keeper, or plain {@code *MergeTree} engines for one server.
     * Default true; a server without ZooKeeper then fails with a message that says to set false.
     */
    public Builder replicated(boolean replicated) {
      this.replicated = replicated;
      return this;
    }

    /** Kafka to create topics on; unset means no topics are created. */
    public Builder kafkaBootstrapServers(String servers) {
      if (servers == null || servers.isBlank()) {
        throw new IllegalArgumentException("kafka bootstrap servers must be host:port[,host:port]");
      }
      this.kafkaBootstrapServers = servers;
      return this;
    }

    /** Replication factor of new topics. Default 1 (one local broker); use 3 in production. */
    public Builder replicationFactor(int factor) {
      if (factor < 1 || factor > 7) throw new IllegalArgumentException("replicationFactor must be 1..7, was " + factor);
      this.replicationFactor = (short) factor;
      return this;
    }

    /** Partitions of the spans, enriched spans and runs topics. Default 6. */
    public Builder partitions(int partitions) {
      if (partitions < 1 || partitions > 1000) {
        throw new IllegalArgumentException("partitions must be 1..1000, was " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /** Time retention of span topics, milliseconds. Default 7 days. */
    public Builder retentionMs(long ms) {
      this.retentionMs = atLeast(ms, 60_000, "retentionMs");
      return this;
    }

    /** Time retention of the runs changelog, milliseconds. Default 30 days. */
    public Builder runsRetentionMs(long ms) {
      this.runsRetentionMs = atLeast(ms, 60_000, "runsRetentionMs");
      return this;
    }

    /** Byte retention of each partition of the main topics. Default 1 GiB. */
    public Builder retentionBytesPerPartition(long bytes) {
      this.retentionBytesPerPartition = atLeast(bytes, TopicSpec.MIB, "retentionBytesPerPartition");
      return this;
    }

    /** Byte retention of the dead-letter topic (one partition). Default 256 MiB. */
    public Builder deadLetterRetentionBytes(long bytes) {
      this.deadLetterRetentionBytes = atLeast(bytes, TopicSpec.MIB, "deadLetterRetentionBytes");
      return this;
    }

    /** How long to wait for Kafka, milliseconds. Default 30,000. */
    public Builder timeoutMs(long ms) {
      this.timeoutMs = atLeast(ms, 100, "timeoutMs");
      return this;
    }

    /** Topic names; defaults in {@link RuntraceTopics}. */
    public Builder topics(String spans, String enriched, String runs, String deadLetter) {
      this.spansTopic = topic(spans, "spansTopic");
      this.enrichedTopic = topic(enriched, "enrichedTopic");
      this.runsTopic = topic(runs, "runsTopic");
      this.deadLetterTopic = topic(deadLetter, "deadLetterTopic");
      return this;
    }

    /** Builds the migrator; fails when there is nothing to migrate. */
    public SchemaMigrator build() {
      if (servers.isEmpty() && kafkaBootstrapServers == null) {
        throw new IllegalStateException("SchemaMigrator needs a clickHouse server or kafkaBootstrapServers");
      }
      if (!replicated && servers.size() > 1) {
        throw new IllegalStateException("replicated=false is for one server, and " + servers.size()
            + " were given: plain tables do not replicate, so readers would stay empty;"
            + " use replicated=true for a cluster");
      }
      return new SchemaMigrator(this);
    }

    private static long atLeast(long value, long min, String name) {
      if (value < min) throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
      return value;
    }

    private static String topic(String name, String setting) {
      if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
        throw new IllegalArgumentException(setting + " is not a valid Kafka topic name: " + name);
      }
      return name;
    }
  }
}

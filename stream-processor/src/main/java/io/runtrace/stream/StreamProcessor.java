package io.runtrace.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.model.RuntraceTopics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The stream processor: a Kafka Streams application (exactly-once v2) that assembles spans into
 * runs, and a sink that writes enriched spans and run versions to the ClickHouse writer replica.
 */
public final class StreamProcessor implements AutoCloseable {
  private final Builder b;
  private final KafkaStreams streams;
  private final ClickHouseSink sink;
  private final Thread sinkThread;
  private final KafkaStreamsMetrics streamsMetrics;
  private final SinkLagMonitor lagMonitor;
  private final ClickHouseRetention retention;
  private final RunStatsRefresher stats;

  private StreamProcessor(Builder b) {
    this.b = b;
    StreamMetrics metrics = new StreamMetrics(b.registry);
    RunAssemblyTopology topology = new RunAssemblyTopology(b.spansTopic, b.enrichedTopic, b.runsTopic,
        b.deadLetterTopic, b.maxRecordBytes, b.staleAfter, b.runRetention, metrics);
    this.streams = new KafkaStreams(topology.get(), streamsConfig());
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(b.registry);
    SinkSettings sinkSettings = new SinkSettings(b.bootstrapServers, b.applicationId + "-clickhouse-sink",
        b.enrichedTopic, b.runsTopic, b.writer.database() + ".spans", b.writer.database() + ".run_list",
        b.writer.database() + ".run_ids",
        b.maxBatchRows, b.maxBatchBytes, b.maxBatchDelay, b.maxPartitionsPerBatch, Duration.ofMillis(200),
        Duration.ofSeconds(10), b.consumerLagRefresh, b.partitionZone);
    this.stats = new RunStatsRefresher(b.writer, Clock.systemUTC(), b.registry);
    this.sink = new ClickHouseSink(sinkSettings, b.writer, b.registry, stats::markDirty);
    this.lagMonitor = new SinkLagMonitor(sinkSettings, b.registry);
    this.retention = new ClickHouseRetention(b.writer, List.of(
        new ClickHouseRetention.Policy("spans", b.spansMaxAge, b.spansMaxBytes),
        new ClickHouseRetention.Policy("run_list", b.runsMaxAge, b.runsMaxBytes),
        new ClickHouseRetention.Policy("run_ids", b.runsMaxAge, Long.MAX_VALUE),
        new ClickHouseRetention.Policy("run_stats", b.runsMaxAge, Long.MAX_VALUE),
        // Written before the read model (V003); it empties as its days age out.
        new ClickHouseRetention.Policy("runs", b.runsMaxAge, b.runsMaxBytes)), Clock.systemUTC(), b.partitionZone,
        b.registry);
    this.sinkThread = new Thread(sink, "runtrace-clickhouse-sink");
    sinkThread.setDaemon(true);
  }

  /** Starts a builder; bootstrap servers and a ClickHouse writer are required. */
  public static Builder builder() {
    return new Builder();
  }

  private Properties streamsConfig() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, b.applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, b.stateDir.toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, b.threads);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) b.commitInterval.toMillis());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, b.replicationFactor);
    p.put(StreamsConfig.producerPrefix("compression.type"), "lz4");
    // Ten or more enriched rows per input record: larger producer batches keep up with them.
    p.put(StreamsConfig.producerPrefix("batch.size"), 256 * 1024);
    p.put(StreamsConfig.producerPrefix("linger.ms"), 10);
    p.put(StreamsConfig.producerPrefix("max.request.size"), 2 * 1024 * 1024);
    // The changelog of run state is bounded by size as well as compaction.
    p.put(StreamsConfig.topicPrefix("retention.bytes"), Long.toString(1024L * 1024 * 1024));
    return p;
  }

  /** Starts the topology and the sink; returns at once. */
  public StreamProcessor start() {
    streams.start();
    sinkThread.start();
    retention.start(b.retentionInterval, b.retentionInterval);
    stats.start(b.statsRefreshInterval);
    return this;
  }

  /** True when the topology is running and the sink's last insert succeeded. */
  public boolean healthy() {
    return streams.state() == KafkaStreams.State.RUNNING && sink.healthy() && sinkThread.isAlive();
  }

  /** The topology's state, for example {@code RUNNING} or {@code REBALANCING}. */
  public String state() {
    return streams.state().name();
  }

  @Override
  public void close() {
    retention.close();
    lagMonitor.close();
    stats.close();
    sink.close();
    // Leaving the group hands this instance's partitions to the others at once, not after the
    // session timeout (45 s), so a scale-in or a restart does not leave them unprocessed meanwhile.
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
    try {
      sinkThread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    streamsMetrics.close();
  }

  /** Settings; every setter validates and names the setting. */
  public static final class Builder {
    private String bootstrapServers;
    private ClickHouseDatabase writer;
    private String applicationId = "runtrace-stream-processor";
    private Path stateDir = Path.of(System.getProperty("java.io.tmpdir"), "runtrace-streams");
    private int threads = 1;
    private int replicationFactor = 1;
    private String spansTopic = RuntraceTopics.SPANS;
    private String enrichedTopic = RuntraceTopics.SPANS_ENRICHED;
    private String runsTopic = RuntraceTopics.RUNS;
    private String deadLetterTopic = RuntraceTopics.DEAD_LETTER;
    private int maxRecordBytes = 8 * 1024 * 1024;
    private Duration staleAfter = RunExpiry.DEFAULT_STALE_AFTER;
    private Duration runRetention = RunExpiry.DEFAULT_RETENTION;
    private int maxBatchRows = 200_000;
    private int maxBatchBytes = 64 * 1024 * 1024;
    private Duration maxBatchDelay = Duration.ofMillis(500);
    private MeterRegistry registry = new SimpleMeterRegistry();
    private int maxPartitionsPerBatch = 32;
    private Duration consumerLagRefresh = Duration.ofSeconds(10);
    private ZoneId partitionZone = ZoneOffset.UTC;
    private Duration retentionInterval = Duration.ofMinutes(5);
    private Duration statsRefreshInterval = Duration.ofSeconds(5);
    private Duration commitInterval = Duration.ofMillis(100);
    private Duration spansMaxAge = Duration.ofDays(30);
    private long spansMaxBytes = 50L << 30;
    private Duration runsMaxAge = Duration.ofDays(30);
    private long runsMaxBytes = 10L << 30;

    private Builder() {}

    /** Kafka bootstrap servers, {@code host:port[,host:port]}. Required. */
    public Builder bootstrapServers(String servers) {
      if (servers == null || servers.isBlank()) throw new IllegalArgumentException("bootstrapServers is required");
      this.bootstrapServers = servers;
      return this;
    }

    /** The ClickHouse writer replica; its database holds the spans and runs tables. Required. */
    public Builder clickHouseWriter(ClickHouseDatabase writer) {
      this.writer = Objects.requireNonNull(writer, "clickHouseWriter");
      return this;
    }

    /** Kafka Streams application id; the sink's group is this plus {@code -clickhouse-sink}. */
    public Builder applicationId(String id) {
      if (id == null || !id.matches("[A-Za-z0-9._-]{1,200}")) throw new IllegalArgumentException("applicationId is invalid: " + id);
      this.applicationId = id;
      return this;
    }

    /** Where Streams keeps run state. Default {@code ${java.io.tmpdir}/runtrace-streams}. */
    public Builder stateDir(Path dir) {
      this.stateDir = Objects.requireNonNull(dir, "stateDir");
      return this;
    }

    /** Stream threads. Default 1. */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 64) throw new IllegalArgumentException("threads must be 1..64, was " + threads);
      this.threads = threads;
      return this;
    }

    /** Replication factor of Streams' internal topics. Default 1. */
    public Builder replicationFactor(int factor) {
      if (factor < 1 || factor > 7) throw new IllegalArgumentException("replicationFactor must be 1..7, was " + factor);
      this.replicationFactor = factor;
      return this;
    }

    /** Topic names; defaults in {@link RuntraceTopics}. */
    public Builder topics(String spans, String enriched, String runs, String deadLetter) {
      this.spansTopic = Objects.requireNonNull(spans, "spansTopic");
      this.enrichedTopic = Objects.requireNonNull(enriched, "enrichedTopic");
      this.runsTopic = Objects.requireNonNull(runs, "runsTopic");
      this.deadLetterTopic = Objects.requireNonNull(deadLetter, "deadLetterTopic");
      return this;
    }

    /** Largest spans record decoded; larger ones are dead-lettered as oversize. Default 8 MiB. */
    public Builder maxRecordBytes(int bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("maxRecordBytes must be >= 1024, was " + bytes);
      this.maxRecordBytes = bytes;
      return this;
    }

    /** A non-terminal run without a new span this long is flagged stale. Default 15 minutes. */
    public Builder staleAfter(Duration d) {
      if (d == null || d.toSeconds() < 1) throw new IllegalArgumentException("staleAfter must be >= 1 s");
      this.staleAfter = d;
      return this;
    }

    /** A terminal run is closed in the state store this long after its last span. Default 24 hours. */
    public Builder runRetention(Duration d) {
      if (d == null || d.toMinutes() < 1) throw new IllegalArgumentException("runRetention must be >= 1 min");
      this.runRetention = d;
      return this;
    }

    /** Rows per sink batch, at most. Default 200,000. */
    public Builder maxBatchRows(int rows) {
      if (rows < 1 || rows > 1_000_000) throw new IllegalArgumentException("maxBatchRows must be 1..1000000, was " + rows);
      this.maxBatchRows = rows;
      return this;
    }

    /** Bytes per sink batch, about; the sink holds up to about twice this. Default 64 MiB. */
    public Builder maxBatchBytes(int bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("maxBatchBytes must be >= 1024, was " + bytes);
      this.maxBatchBytes = bytes;
      return this;
    }

    /** Longest a row waits before its batch is inserted; while a backlog fills the batch, up to 10 times this. Default 500 ms. */
    public Builder maxBatchDelay(Duration delay) {
      if (delay == null || delay.isNegative() || delay.isZero()) throw new IllegalArgumentException("maxBatchDelay must be > 0");
      this.maxBatchDelay = delay;
      return this;
    }

    /** Most (table, day) groups, so inserts, per sink batch; late rows of many days wait for the next batch. Default 32. */
    public Builder maxPartitionsPerBatch(int partitions) {
      if (partitions < 1 || partitions > 100) {
        throw new IllegalArgumentException("maxPartitionsPerBatch must be 1..100, was " + partitions);
      }
      this.maxPartitionsPerBatch = partitions;
      return this;
    }

    /** How often the sink's consumer lag gauge is measured. Default 10 s. */
    public Builder consumerLagRefresh(Duration every) {
      this.consumerLagRefresh = positive(every, "consumerLagRefresh");
      return this;
    }

    /** The ClickHouse server's time zone, where its day partitions start. Default UTC. */
    public Builder partitionZone(ZoneId zone) {
      this.partitionZone = Objects.requireNonNull(zone, "partitionZone");
      return this;
    }

    /** How often Streams commits its transaction; output becomes visible to the sink at each commit. Default 100 ms. */
    public Builder commitInterval(Duration every) {
      this.commitInterval = positive(every, "commitInterval");
      return this;
    }

    /** How often retention runs, the first time one interval after start. Default 5 min. */
    public Builder retentionInterval(Duration every) {
      this.retentionInterval = positive(every, "retentionInterval");
      return this;
    }

    /** How often the {@code run_stats} rollup recomputes the hours the sink wrote runs for. Default 5 s. */
    public Builder statsRefreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "statsRefreshInterval");
      if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("statsRefreshInterval must be 100 ms..1 h, was " + interval);
      }
      this.statsRefreshInterval = interval;
      return this;
    }

    /** Spans older than {@code maxAge} (whole days) or beyond {@code maxBytes} on disk are dropped, oldest day first. Default 30 d, 50 GiB. */
    public Builder spansRetention(Duration maxAge, long maxBytes) {
      this.spansMaxAge = positive(maxAge, "spansRetention maxAge");
      if (maxBytes < 1) throw new IllegalArgumentException("spansRetention maxBytes must be > 0, was " + maxBytes);
      this.spansMaxBytes = maxBytes;
      return this;
    }

    /** Runs older than {@code maxAge} or beyond {@code maxBytes} on disk are dropped, oldest day first. Default 30 d, 10 GiB. */
    public Builder runsRetention(Duration maxAge, long maxBytes) {
      this.runsMaxAge = positive(maxAge, "runsRetention maxAge");
      if (maxBytes < 1) throw new IllegalArgumentException("runsRetention maxBytes must be > 0, was " + maxBytes);
      this.runsMaxBytes = maxBytes;
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0");
      return d;
    }

    /** Where metrics go. Default a private {@code SimpleMeterRegistry}. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** Builds; fails naming a missing required setting. */
    public StreamProcessor build() {
      if (bootstrapServers == null) throw new IllegalStateException("bootstrapServers is required");
      if (writer == null) throw new IllegalStateException("clickHouseWriter is required");
      ClickHouseSql.identifier(writer.database());
      return new StreamProcessor(this);
    }
  }
}

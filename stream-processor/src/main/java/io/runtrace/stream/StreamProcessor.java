package io.runtrace.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;
import io.runtrace.model.KafkaCredentials;
import io.runtrace.model.RuntraceTopics;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * The stream processor: a Kafka Streams application (exactly-once v2) that assembles spans into
 * runs, and a sink that writes enriched spans and run versions to the ClickHouse writer replica.
 */
public final class StreamProcessor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StreamProcessor.class.getName());
  static final String STREAMS_SOURCE = "kafka-streams";
  /** {@link Builder#httpPort(int)} not called: no HTTP endpoint. */
  public static final int HTTP_PORT_OFF = -1;
  private final Builder b;
  private final MeterRegistry registry;
  private final AuthFailures auth;
  private final ProcessorHttpEndpoint http;
  private final KafkaStreams streams;
  private final ClickHouseSink sink;
  private final Thread sinkThread;
  private final KafkaStreamsMetrics streamsMetrics;
  private final SinkLagMonitor lagMonitor;
  private final KafkaTopicBytes topicBytes;
  private final ClickHouseRetention retention;
  private final RunStatsRefresher stats;

  private StreamProcessor(Builder b) {
    this.b = b;
    MeterRegistry registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PrometheusMeterRegistry prometheus = registry instanceof PrometheusMeterRegistry p ? p : null;
    if (prometheus == null && b.httpPort != HTTP_PORT_OFF) {
      // /metrics needs Prometheus text: meters go to the caller's registry and to a private Prometheus one.
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry = new CompositeMeterRegistry().add(b.registry).add(prometheus);
    }
    this.registry = registry;
    this.auth = new AuthFailures(registry, b.kafkaCredentials, b.bootstrapServers, b.writer.url());
    // Bound first: a taken port fails the build before any Kafka client or thread exists.
    PrometheusMeterRegistry scraped = prometheus;
    this.http = b.httpPort == HTTP_PORT_OFF ? null : new ProcessorHttpEndpoint(b.httpPort, this::problem, scraped::scrape);
    StreamMetrics metrics = new StreamMetrics(registry);
    RunAssemblyTopology topology = new RunAssemblyTopology(b.spansTopic, b.enrichedTopic, b.runsTopic,
        b.deadLetterTopic, b.maxRecordBytes, b.staleAfter, b.runRetention, metrics);
    this.streams = new KafkaStreams(topology.get(), streamsConfig());
    streams.setUncaughtExceptionHandler(this::streamThreadFailed);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) auth.cleared(STREAMS_SOURCE);
    });
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    SinkSettings sinkSettings = new SinkSettings(b.bootstrapServers, b.kafkaCredentials.clientProperties(),
        b.applicationId + "-clickhouse-sink",
        b.enrichedTopic, b.runsTopic, b.writer.database() + ".spans", b.writer.database() + ".run_list",
        b.writer.database() + ".run_ids",
        b.maxBatchRows, b.maxBatchBytes, b.maxBatchDelay, b.maxPartitionsPerBatch, Duration.ofMillis(200),
        Duration.ofSeconds(10), b.consumerLagRefresh, b.partitionZone);
    this.stats = new RunStatsRefresher(b.writer, Clock.systemUTC(), registry);
    this.sink = new ClickHouseSink(sinkSettings, b.writer, registry, stats::markDirty, auth);
    this.lagMonitor = new SinkLagMonitor(sinkSettings, registry, auth);
    this.topicBytes = new KafkaTopicBytes(sinkSettings,
        List.of(b.spansTopic, b.enrichedTopic, b.runsTopic, b.deadLetterTopic), b.consumerLagRefresh, registry, auth);
    this.retention = new ClickHouseRetention(b.writer, List.of(
        new ClickHouseRetention.Policy("spans", b.spansMaxAge, b.spansMaxBytes),
        new ClickHouseRetention.Policy("run_list", b.runsMaxAge, b.runsMaxBytes),
        new ClickHouseRetention.Policy("run_ids", b.runsMaxAge, Long.MAX_VALUE),
        new ClickHouseRetention.Policy("run_stats", b.runsMaxAge, Long.MAX_VALUE),
        // Written before the read model (V003); it empties as its days age out.
        new ClickHouseRetention.Policy("runs", b.runsMaxAge, b.runsMaxBytes)), Clock.systemUTC(), b.partitionZone,
        registry);
    this.sinkThread = new Thread(sink, "runtrace-clickhouse-sink");
    sinkThread.setDaemon(true);
  }

  /**
   * A stream thread died. Refused credentials replace the thread after a pause, so the processor
   * recovers once the credential works; anything else shuts the client down (Streams' default).
   */
  private StreamThreadExceptionResponse streamThreadFailed(Throwable e) {
    if (!auth.kafkaRefused(STREAMS_SOURCE, e)) {
      LOG.log(Level.ERROR, "a Kafka Streams thread failed; the topology stops", e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    try {
      Thread.sleep(KAFKA_REFUSED_PAUSE.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  static final Duration KAFKA_REFUSED_PAUSE = Duration.ofSeconds(5);

  /** Starts a builder; bootstrap servers and a ClickHouse writer are required. */
  public static Builder builder() {
    return new Builder();
  }

  private Properties streamsConfig() {
    Properties p = new Properties();
    // Streams hands these to every client it makes: consumers, producers, the admin client.
    p.putAll(b.kafkaCredentials.clientProperties());
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
    if (http != null) http.start();
    streams.start();
    sinkThread.start();
    retention.start(b.retentionInterval, b.retentionInterval);
    stats.start(b.statsRefreshInterval);
    return this;
  }

  /** True when the topology is running, the sink's last insert succeeded and no credential is being refused. */
  public boolean healthy() {
    return problem().isEmpty();
  }

  /**
   * Why the processor is not healthy, as {@code GET /health} reports it; empty when it is. A
   * refused credential comes first, e.g. {@code Kafka at host:9094 refused the SASL login of user "runtrace" …}.
   */
  public Optional<String> problem() {
    Optional<String> refused = auth.reason();
    if (refused.isPresent()) return refused;
    if (!sinkThread.isAlive()) return Optional.of("the ClickHouse sink " + (sink.healthy() ? "is not running" : "stopped; see the log"));
    KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) return Optional.of("Kafka Streams is " + state);
    if (!sink.healthy()) return Optional.of(Objects.requireNonNullElse(sink.problem(), "the ClickHouse sink's last insert failed"));
    return Optional.empty();
  }

  /** The port of {@code GET /health} and {@code GET /metrics}, or {@link #HTTP_PORT_OFF}. */
  public int httpPort() {
    return http == null ? HTTP_PORT_OFF : http.port();
  }

  /** The registry every meter of this processor is in. */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** The topology's state, for example {@code RUNNING} or {@code REBALANCING}. */
  public String state() {
    return streams.state().name();
  }

  @Override
  public void close() {
    if (http != null) http.close();
    retention.close();
    lagMonitor.close();
    topicBytes.close();
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
    private MeterRegistry registry;
    KafkaCredentials kafkaCredentials = KafkaCredentials.NONE;
    int httpPort = HTTP_PORT_OFF;
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
      for (String server : servers.split(",", -1)) {
        if (!server.trim().matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}")
            || Integer.parseInt(server.trim().substring(server.trim().lastIndexOf(':') + 1)) > 65_535) {
          throw new IllegalArgumentException("bootstrapServers must be host:port[,host:port], was \"" + servers + "\"");
        }
      }
      this.bootstrapServers = servers;
      return this;
    }

    /**
     * How every Kafka client of the processor authenticates (the Streams clients, the sink's
     * consumer, the lag monitor's admin client). Default {@link KafkaCredentials#NONE} (PLAINTEXT).
     */
    public Builder kafkaCredentials(KafkaCredentials credentials) {
      this.kafkaCredentials = Objects.requireNonNull(credentials, "kafkaCredentials");
      return this;
    }

    /**
     * Serves {@code GET /health} and {@code GET /metrics} (Prometheus text) on this TCP port, on
     * every interface; 0 picks a free port ({@link StreamProcessor#httpPort()}). Default off.
     */
    public Builder httpPort(int port) {
      if (port < 0 || port > 65_535) throw new IllegalArgumentException("httpPort must be 0..65535, was " + port);
      this.httpPort = port;
      return this;
    }

    /**
     * The ClickHouse writer replica; its database holds the spans and runs tables. Connect it as
     * the writer user (not the admin), with its password. Required.
     */
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

    /** How often the sink's consumer lag and the topics' sizes against retention.bytes are measured. Default 10 s. */
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

    /**
     * Where metrics go. Default a private {@code PrometheusMeterRegistry}; with {@link #httpPort}
     * and a registry that is not a Prometheus one, meters go to both it and a private Prometheus one.
     */
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

package io.runtrace.demo;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.ingest.OtlpGrpcReceiver;
import io.runtrace.ingest.OtlpHttpReceiver;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import io.runtrace.query.RunHistoryService;
import io.runtrace.query.RunHistoryServiceBuilder;
import io.runtrace.schema.SchemaMigrator;
import io.runtrace.stream.StreamProcessor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The three services wired to a running local stack and one of its ClickHouse engines: schema
 * migrated on writer and reader (replicated on 18.16; one server, plain tables on 26.7), the
 * stream processor writing to the writer as the {@code writer} user, the OTLP receiver, and the
 * query API reading from the reader as the read-only {@code reader} user, with the API keys of
 * {@code apiKeyFile}. {@link #writer} and {@link #reader} are administrator connections (user
 * {@code default}) for migrations and checks. With {@link Options}, also an OTLP/gRPC receiver
 * (sharing the HTTP receiver's registry, so the receiver's {@code /metrics} shows both) and the
 * stream processor's HTTP endpoint. Used by the demo and by the end-to-end tests.
 */
final class LocalPipeline implements AutoCloseable {
  final LocalStack stack;
  final ClickHouseDeployment clickHouse;
  final Topics topics;
  final ClickHouseDatabase writer;
  final ClickHouseDatabase reader;
  private final ClickHouseDatabase sinkWriter;
  private final ClickHouseDatabase apiReader;
  final StreamProcessor processor;
  final OtlpHttpReceiver receiver;
  /** Null when {@link Options#grpcPort} is {@link Options#OFF}. */
  final OtlpGrpcReceiver grpcReceiver;
  final RunHistoryService api;
  final Path apiKeyFile;

  /** Topic names, so tests can isolate themselves on a shared stack. */
  record Topics(String spans, String enriched, String runs, String deadLetter) {
    static Topics withSuffix(String suffix) {
      return new Topics("runtrace.spans" + suffix, "runtrace.spans.enriched" + suffix, "runtrace.runs" + suffix,
          "runtrace.dead-letter" + suffix);
    }
  }

  /**
   * Ports of the services; 0 picks a free port, {@link #OFF} leaves the gRPC receiver or the stream
   * processor's HTTP endpoint out.
   */
  record Options(int receiverPort, int grpcPort, int apiPort, int processorHttpPort) {
    static final int OFF = -1;

    /** The OTLP/HTTP receiver and the API only, as {@link LocalPipeline}'s first constructor. */
    static Options httpOnly(int receiverPort, int apiPort) {
      return new Options(receiverPort, OFF, apiPort, OFF);
    }

    /** Every service on a free port, with the gRPC receiver and the processor's HTTP endpoint. */
    static Options allOnFreePorts() {
      return new Options(0, 0, 0, 0);
    }
  }

  LocalPipeline(LocalStack stack, ClickHouseDeployment clickHouse, String database, Topics topics, int receiverPort,
      int apiPort, Path stateDir, Path apiKeyFile) {
    this(stack, clickHouse, database, topics, Options.httpOnly(receiverPort, apiPort), stateDir, apiKeyFile);
  }

  LocalPipeline(LocalStack stack, ClickHouseDeployment clickHouse, String database, Topics topics, Options options,
      Path stateDir, Path apiKeyFile) {
    this.stack = stack;
    this.apiKeyFile = apiKeyFile;
    this.clickHouse = clickHouse;
    this.topics = topics;
    this.writer = ClickHouseDatabase.builder().url(clickHouse.writerUrl()).database(database).build();
    this.reader = ClickHouseDatabase.builder().url(clickHouse.readerUrl()).database(database).build();
    SchemaMigrator.Builder migrator = SchemaMigrator.builder().clickHouse(writer).database(database)
        .replicated(clickHouse.replicated());
    if (clickHouse.replicated()) migrator.clickHouse(reader);
    migrator.kafkaBootstrapServers(stack.kafkaBootstrapServers())
        .topics(topics.spans, topics.enriched, topics.runs, topics.deadLetter)
        .partitions(3).retentionBytesPerPartition(256L << 20)
        .build().migrate();
    // The services as they run in production: the sink as the writer user, the API as the read-only reader.
    this.sinkWriter = ClickHouseDatabase.builder().url(clickHouse.writerUrl()).database(database)
        .user(StackCredentials.CLICKHOUSE_WRITER_USER).password(StackCredentials.CLICKHOUSE_WRITER_PASSWORD).build();
    this.apiReader = ClickHouseDatabase.builder().url(clickHouse.readerUrl()).database(database)
        .user(StackCredentials.CLICKHOUSE_READER_USER).password(StackCredentials.CLICKHOUSE_READER_PASSWORD)
        .maxExecutionTime(java.time.Duration.ofSeconds(10)).socketTimeout(java.time.Duration.ofSeconds(15))
        .maxResultRows(RunHistoryServiceBuilder.DEFAULT_MAX_SPANS_PER_TRACE + 1L).build();
    StreamProcessor.Builder processorBuilder = StreamProcessor.builder();
    if (options.processorHttpPort() != Options.OFF) processorBuilder.httpPort(options.processorHttpPort());
    this.processor = processorBuilder
        .bootstrapServers(stack.kafkaBootstrapServers())
        .applicationId("runtrace-" + database)
        .stateDir(stateDir)
        .topics(topics.spans, topics.enriched, topics.runs, topics.deadLetter)
        .clickHouseWriter(sinkWriter)
        .build().start();
    // One registry for both receivers, as OtlpReceiverMain wires them in production.
    PrometheusMeterRegistry ingestMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.receiver = OtlpHttpReceiver.builder()
        .bootstrapServers(stack.kafkaBootstrapServers())
        .topic(topics.spans)
        .host("127.0.0.1")
        .port(options.receiverPort())
        .meterRegistry(ingestMetrics)
        .build().start();
    this.grpcReceiver = options.grpcPort() == Options.OFF ? null : OtlpGrpcReceiver.builder()
        .bootstrapServers(stack.kafkaBootstrapServers())
        .topic(topics.spans)
        .host("127.0.0.1")
        .port(options.grpcPort())
        .meterRegistry(ingestMetrics)
        .build().start();
    this.api = RunHistoryService.builder().reader(apiReader).apiKeyFile(apiKeyFile).host("127.0.0.1").port(options.apiPort())
        .build().start();
  }

  String apiAddress() {
    return "http://127.0.0.1:" + api.port();
  }

  String otlpAddress() {
    return "http://127.0.0.1:" + receiver.port() + "/v1/traces";
  }

  /** {@code http://127.0.0.1:<port>}, the OTLP/gRPC exporters' endpoint; fails without the gRPC receiver. */
  String otlpGrpcAddress() {
    return "http://" + otlpGrpcTarget();
  }

  /** {@code 127.0.0.1:<port>} of the gRPC receiver, as the demo prints it. */
  String otlpGrpcTarget() {
    if (grpcReceiver == null) throw new IllegalStateException("this pipeline runs no OTLP/gRPC receiver");
    return "127.0.0.1:" + grpcReceiver.port();
  }

  /** {@code host:port} of each service's {@code /metrics}, by Prometheus job name. */
  Map<String, String> scrapeTargets() {
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("span-ingest", "127.0.0.1:" + receiver.port());
    if (processor.httpPort() > 0) targets.put("stream-processor", "127.0.0.1:" + processor.httpPort());
    targets.put("query-api", "127.0.0.1:" + api.port());
    return targets;
  }

  @Override
  public void close() {
    api.close();
    if (grpcReceiver != null) grpcReceiver.close();
    receiver.close();
    processor.close();
    sinkWriter.close();
    apiReader.close();
    writer.close();
    reader.close();
  }
}

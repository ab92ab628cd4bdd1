package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.trace.v1.Span;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import io.runtrace.schema.SchemaMigrator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An isolated database and topic set on the shared local stack, on one ClickHouse engine, a
 * producer of runs, and checks of what the reader replica shows (the single server on 26.7),
 * read the way query-api reads ({@code FINAL}).
 */
final class SinkFixture implements AutoCloseable {
  final LocalStack stack;
  final ClickHouseDeployment clickHouse;
  final String database;
  final String spans;
  final String enriched;
  final String runs;
  final String deadLetter;
  /** The administrator ({@code default}): DDL and checks. */
  final ClickHouseDatabase writer;
  /** The writer replica as the stack's {@code writer} user, which the processor writes as. */
  final ClickHouseDatabase sinkWriter;
  final ClickHouseDatabase reader;
  final KafkaProducer<String, byte[]> producer;
  /** trace id → expected status; every run has {@link #SPANS_PER_RUN} spans. */
  final Map<String, String> expected = new HashMap<>();
  /** Trace ids in the order {@link #sendRun} sent them, to name missing runs by number. */
  final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Sends Kafka refused: a run the test lost itself must fail the test as such, not as a pipeline loss. */
  final List<Exception> sendFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
  static final int SPANS_PER_RUN = 6;

  SinkFixture(LocalStack stack, ClickHouseEngine engine, String name) {
    this.stack = stack;
    this.clickHouse = stack.clickHouse(engine);
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    database = name + "_" + suffix;
    spans = "runtrace.spans." + database;
    enriched = "runtrace.spans.enriched." + database;
    runs = "runtrace.runs." + database;
    deadLetter = "runtrace.dead-letter." + database;
    writer = ClickHouseDatabase.builder().url(clickHouse.writerUrl()).database(database).build();
    sinkWriter = writerAs(StackCredentials.CLICKHOUSE_WRITER_USER, StackCredentials.CLICKHOUSE_WRITER_PASSWORD);
    reader = ClickHouseDatabase.builder().url(clickHouse.readerUrl()).database(database).build();
    SchemaMigrator.Builder migrator = SchemaMigrator.builder().clickHouse(writer).database(database)
        .replicated(clickHouse.replicated());
    if (clickHouse.replicated()) migrator.clickHouse(reader);
    migrator.kafkaBootstrapServers(stack.kafkaBootstrapServers()).topics(spans, enriched, runs, deadLetter)
        .partitions(6).retentionBytesPerPartition(256L << 20).build().migrate();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Not idempotent: this harness once hit an OutOfOrderSequence storm (DESIGN.md incident 3) that
    // expired records after 120 s. A duplicate record, which retries may now send, the pipeline dedupes.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** A processor writing as the {@code writer} user, as deployed. */
  StreamProcessor.Builder processor(java.nio.file.Path stateDir) {
    return StreamProcessor.builder().bootstrapServers(stack.kafkaBootstrapServers()).clickHouseWriter(sinkWriter)
        .applicationId("sink-it-" + database).stateDir(stateDir).topics(spans, enriched, runs, deadLetter);
  }

  /** The writer replica, in this fixture's database, as another login. */
  ClickHouseDatabase writerAs(String user, String password) {
    return ClickHouseDatabase.builder().url(clickHouse.writerUrl()).user(user).password(password).database(database).build();
  }

  /** Offsets the processor's sink group has committed, by partition. */
  Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> sinkCommits() {
    Properties p = new Properties();
    p.put("bootstrap.servers", stack.kafkaBootstrapServers());
    try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      return admin.listConsumerGroupOffsets("sink-it-" + database + "-clickhouse-sink").partitionsToOffsetAndMetadata()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cannot read the sink group's commits", e);
    }
  }

  /** Sends one run as two records: half its steps first, then the rest with the terminal run span. */
  void sendRun(int n) {
    String trace = UUID.randomUUID().toString().replace("-", "");
    String status = n % 3 == 0 ? "failed" : "completed";
    long nowMs = System.currentTimeMillis() - 60_000;
    List<Span> first = new ArrayList<>();
    List<Span> second = new ArrayList<>();
    for (int i = 1; i < SPANS_PER_RUN; i++) {
      Span step = TestSpans.stepSpan(trace, i, "step-" + i, 1, 0, 10, false);
      step = shift(step, nowMs);
      (i <= SPANS_PER_RUN / 2 ? first : second).add(step);
    }
    second.add(shift(TestSpans.runSpan(trace, "run_" + trace.substring(0, 12), status, 0, 100), nowMs));
    expected.put(trace, status);
    sent.add(trace);
    producer.send(new ProducerRecord<>(spans, trace, TestSpans.request(first)), this::sent);
    producer.send(new ProducerRecord<>(spans, trace, TestSpans.request(second)), this::sent);
  }

  private static Span shift(Span s, long nowMs) {
    long delta = nowMs * TestSpans.MS - TestSpans.T0;
    return s.toBuilder().setStartTimeUnixNano(s.getStartTimeUnixNano() + delta)
        .setEndTimeUnixNano(s.getEndTimeUnixNano() + delta).build();
  }

  private void sent(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
    if (e != null) sendFailures.add(e);
  }

  long readerCount(String sql) {
    try {
      return reader.query(sql).get(0).get("n").asLong();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** Waits until the reader shows every expected run as terminal with all its spans, then checks exactness. */
  void assertExactlyOnceOnReader(Duration timeout) {
    producer.flush();
    if (!sendFailures.isEmpty()) {
      AssertionError e = new AssertionError(sendFailures.size() + " test records were not accepted by Kafka");
      sendFailures.forEach(e::addSuppressed);
      throw e;
    }
    int n = expected.size();
    String done = "SELECT count() AS n FROM " + database + ".run_list FINAL WHERE deleted = 0 AND span_count = " + SPANS_PER_RUN
        + " AND status IN ('completed', 'failed')";
    String spans = "SELECT count() AS n FROM " + database + ".spans FINAL";
    try {
      await(() -> readerCount(done) == n && readerCount(spans) == (long) n * SPANS_PER_RUN, timeout,
          "reader shows all " + n + " runs complete");
    } catch (AssertionError e) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      reader.query("SELECT trace_id FROM " + database + ".run_list FINAL WHERE deleted = 0").forEach(r -> seen.add(r.get("trace_id").asText()));
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) if (!seen.contains(sent.get(i))) missing.add(i);
      throw new AssertionError(e.getMessage() + "; it shows " + readerCount(done) + " complete runs of "
          + seen.size() + ", and " + readerCount(spans) + " spans of " + (long) n * SPANS_PER_RUN
          + "; runs missing, by number sent: " + missing + whereInKafka(missing), e);
    }
    Map<String, String> seen = new HashMap<>();
    for (JsonNode row : reader.query("SELECT trace_id, status, span_count FROM " + database + ".run_list FINAL WHERE deleted = 0")) {
      assertThat(row.get("span_count").asInt()).as(row.toString()).isEqualTo(SPANS_PER_RUN);
      assertThat(seen.put(row.get("trace_id").asText(), row.get("status").asText())).as("duplicate run").isNull();
    }
    assertThat(seen).isEqualTo(expected);
    JsonNode spanCounts = reader.query("SELECT count() AS n, uniqExact(trace_id, span_id) AS u FROM " + database
        + ".spans FINAL").get(0);
    assertThat(spanCounts.get("n").asLong()).isEqualTo((long) n * SPANS_PER_RUN).isEqualTo(spanCounts.get("u").asLong());
    assertStatsMatchRuns(Duration.ofMinutes(1));
  }

  /** The run_stats rollup counts each status exactly as a brute-force count over run_list does. */
  void assertStatsMatchRuns(Duration timeout) {
    String rollup = "SELECT status, toUInt64(sum(runs)) AS n FROM " + database + ".run_stats FINAL GROUP BY status"
        + " HAVING n > 0 ORDER BY status";
    String brute = "SELECT status, count() AS n FROM " + database + ".run_list FINAL WHERE deleted = 0"
        + " GROUP BY status ORDER BY status";
    try {
      await(() -> counts(rollup).equals(counts(brute)), timeout, "run_stats counts what run_list holds");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": rollup " + counts(rollup) + ", brute force " + counts(brute), e);
    }
  }

  private Map<String, Long> counts(String sql) {
    Map<String, Long> out = new java.util.TreeMap<>();
    try {
      reader.query(sql).forEach(r -> out.put(r.get("status").asText(), r.get("n").asLong()));
    } catch (RuntimeException e) {
      out.put("(query failed: " + e.getMessage() + ")", -1L);
    }
    return out;
  }

  /** For a failure message: where the missing runs' records are in the topics the sink reads, and the sink's commits. */
  private String whereInKafka(List<Integer> missing) {
    if (missing.isEmpty()) return "";
    java.util.Set<String> traces = new java.util.HashSet<>();
    missing.forEach(i -> traces.add(sent.get(i)));
    StringBuilder out = new StringBuilder();
    Properties p = new Properties();
    p.put("bootstrap.servers", stack.kafkaBootstrapServers());
    p.put("isolation.level", "read_committed");
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
        new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      for (String topic : List.of(spans, enriched, runs)) {
        var partitions = consumer.partitionsFor(topic).stream()
            .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        var end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(200))) {
            if (traces.contains(r.key())) out.append("; ").append(topic).append('-').append(r.partition()).append('@').append(r.offset());
          }
        }
      }
      for (var group : admin.listConsumerGroups().all().get()) {
        if (!group.groupId().contains(database)) continue;
        admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get().forEach((tp, om) ->
            out.append("; ").append(group.groupId()).append(" committed ").append(tp).append('@').append(om.offset()));
      }
    } catch (Exception e) {
      out.append("; (cannot read Kafka: ").append(e).append(')');
    }
    return out.toString();
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
      sleep(250);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    writer.close();
    sinkWriter.close();
    reader.close();
  }
}

package io.runtrace.ingest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.runtrace.localstack.LocalStack;
import io.runtrace.model.RunAttributes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prints exporter throughput into a local broker, export() latency with Kafka up and down, and
 * OTLP/HTTP receiver throughput. Starts a 1-broker local stack in {@code target/bench-stack} unless
 * a bootstrap address is given as the first argument. Run with {@code bin/bench-ingest}.
 */
public final class IngestBenchmark {
  static final int BATCH = 512;
  static final int SPANS_PER_TRACE = 8;
  static final int PAYLOAD_CHARS = 200;

  private IngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    LocalStack stack = null;
    String bootstrap;
    if (args.length > 0) {
      bootstrap = args[0];
    } else {
      stack = LocalStack.builder().workDir(Path.of("span-ingest/target/bench-stack").toAbsolutePath()).build().start();
      bootstrap = stack.kafkaBootstrapServers();
    }
    try {
      System.out.printf("runtrace span-ingest benchmark: %d cores, Java %s, batches of %d spans (%d per trace, ~%d-byte attribute)%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), BATCH, SPANS_PER_TRACE, PAYLOAD_CHARS);
      String topic = "bench-" + UUID.randomUUID();
      SpansTopic.create(bootstrap, topic);
      List<List<SpanData>> batches = batches(64);
      exporterThroughput(bootstrap, topic, batches, 20);
      SpansTopic.create(bootstrap, topic + "-latency");
      latency("Kafka up", bootstrap, topic, batches, 4_000, 5_000);
      latency("Kafka down", "127.0.0.1:1", topic, batches, 20_000, 0);
      receiverThroughput(bootstrap, topic, batches, 15);
    } finally {
      if (stack != null) stack.close();
    }
  }

  /** Exports as fast as Kafka takes it for {@code seconds}: waits while the budget is over half full, so nothing is shed. */
  static void exporterThroughput(String bootstrap, String topic, List<List<SpanData>> batches, int seconds) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    long budget = KafkaSettings.DEFAULT_BUFFER_BYTES;
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(bootstrap).topic(topic).meterRegistry(registry).build();
    runFor(exporter, batches, 3, registry, budget); // warm-up
    double sentBefore = sent(registry);
    long start = System.nanoTime();
    long exported = runFor(exporter, batches, seconds, registry, budget);
    exporter.flush().join(60, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    double sent = sent(registry) - sentBefore;
    System.out.printf("exporter -> local broker: %,.0f spans/s acknowledged (%,.0f spans in %.1f s, %,d exported; dropped %,.0f)%n",
        sent / elapsed, sent, elapsed, exported, registry.find("runtrace.ingest.spans.dropped").functionCounters().stream().mapToDouble(c -> c.count()).sum());
    exporter.shutdown().join(30, TimeUnit.SECONDS);
  }

  private static long runFor(KafkaSpanExporter exporter, List<List<SpanData>> batches, int seconds, SimpleMeterRegistry registry, long budget) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long exported = 0;
    for (int i = 0; System.nanoTime() < end; i++) {
      while (registry.get("runtrace.ingest.buffered").gauge().value() > budget / 2) Thread.onSpinWait();
      exporter.export(batches.get(i % batches.size()));
      exported += BATCH;
    }
    return exported;
  }

  private static double sent(SimpleMeterRegistry registry) {
    return registry.get("runtrace.ingest.spans.sent").functionCounter().count();
  }

  /** export() latency over {@code calls} calls of one batch each, pausing {@code pauseMicros} between calls. */
  static void latency(String label, String bootstrap, String topic, List<List<SpanData>> batches, int calls, long pauseMicros) {
    KafkaSpanExporter exporter = KafkaSpanExporter.builder().bootstrapServers(bootstrap).topic(topic + "-latency")
        .meterRegistry(new SimpleMeterRegistry()).build();
    for (int i = 0; i < 1_000; i++) { // warm-up
      exporter.export(batches.get(i % batches.size()));
      if (pauseMicros > 0) pause(pauseMicros);
    }
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      exporter.export(batches.get(i % batches.size()));
      nanos[i] = System.nanoTime() - start;
      if (pauseMicros > 0) pause(pauseMicros);
    }
    Arrays.sort(nanos);
    System.out.printf("export() latency, %s (%d spans per call): p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms%n", label, BATCH,
        nanos[calls / 2] / 1e6, nanos[(int) (calls * 0.99)] / 1e6, nanos[(int) (calls * 0.999)] / 1e6);
    exporter.shutdown().join(10, TimeUnit.SECONDS);
  }

  private static void pause(long micros) {
    long end = System.nanoTime() + micros * 1000;
    while (System.nanoTime() < end) Thread.onSpinWait();
  }

  /** Two client threads POST protobuf batches to the receiver for {@code seconds}; 429s are retried after 10 ms. */
  static void receiverThroughput(String bootstrap, String topic, List<List<SpanData>> batches, int seconds) throws Exception {
    OtlpHttpReceiver receiver = OtlpHttpReceiver.builder().bootstrapServers(bootstrap).topic(topic).host("127.0.0.1").port(0).build().start();
    List<byte[]> bodies = new ArrayList<>();
    for (List<SpanData> b : batches) {
      bodies.add(ExportTraceServiceRequest.newBuilder().addAllResourceSpans(SpanDataToOtlp.toResourceSpans(b, (s, e) -> {})).build().toByteArray());
    }
    URI uri = URI.create("http://127.0.0.1:" + receiver.port() + "/v1/traces");
    LongAdder accepted = new LongAdder();
    LongAdder throttled = new LongAdder();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread client = new Thread(() -> {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; System.nanoTime() < end; i++) {
          try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size()))).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) accepted.add(BATCH);
            else {
              throttled.increment();
              Thread.sleep(10);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      client.start();
      clients.add(client);
    }
    for (Thread c : clients) c.join();
    System.out.printf("OTLP/HTTP receiver (2 clients, protobuf, %d spans per request): %,.0f spans/s accepted, %,d requests answered 429%n",
        BATCH, accepted.sum() / (double) seconds, throttled.sum());
    receiver.close();
  }

  /** {@code count} batches of {@link #BATCH} spans, traces of {@link #SPANS_PER_TRACE} spans whose first is a run span. */
  static List<List<SpanData>> batches(int count) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<List<SpanData>> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      List<SpanData> spans = new ArrayList<>();
      for (int t = 0; t < BATCH / SPANS_PER_TRACE; t++) {
        String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
        for (int s = 0; s < SPANS_PER_TRACE; s++) {
          Attributes attributes = s == 0
              ? Attributes.of(AttributeKey.stringKey(RunAttributes.RUN_ID), "run-" + t, AttributeKey.stringKey(RunAttributes.RUN_STATUS), "completed")
              : Attributes.of(AttributeKey.stringKey(RunAttributes.STEP), "step-" + s, AttributeKey.stringKey("payload"), "p".repeat(PAYLOAD_CHARS));
          spans.add(TestSpanData.builder()
              .setSpanContext(SpanContext.create(traceId, String.format("%016x", random.nextLong()), TraceFlags.getSampled(), TraceState.getDefault()))
              .setResource(TestSpans.RESOURCE).setInstrumentationScopeInfo(TestSpans.SCOPE).setName(s == 0 ? "run" : "step")
              .setKind(SpanKind.INTERNAL).setStartEpochNanos(TestSpans.START).setEndEpochNanos(TestSpans.START + 1_000_000)
              .setAttributes(attributes).setTotalAttributeCount(attributes.size()).setStatus(StatusData.unset()).setHasEnded(true).build());
        }
      }
      batches.add(spans);
    }
    return batches;
  }
}

package io.runtrace.stream;

import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark's load: runs of {@link #SPANS_PER_RECORD} spans, one record each, stamped with
 * the time they are produced. Every hundredth run is a probe (trace id starting {@code ffff}) whose
 * send time is remembered, so freshness can be measured on the reader replica. Public for
 * query-api's {@code bin/bench-query}, which runs it as the live pipeline's load. Tenant
 * {@code acme}, environment {@code prod}.
 */
public final class BenchLoad implements AutoCloseable {
  public static final int SPANS_PER_RECORD = 10;
  final KafkaProducer<String, byte[]> producer;
  final String topic;
  public final AtomicLong spansSent = new AtomicLong();
  /** Spans the broker acknowledged; the benchmark waits for these. */
  final AtomicLong spansAcked = new AtomicLong();
  public final AtomicLong sendFailures = new AtomicLong();
  /** Probe trace id to {@link System#nanoTime()} when it was sent. */
  public final Map<String, Long> probes = new ConcurrentHashMap<>();
  private final AtomicBoolean steady = new AtomicBoolean();
  private Thread thread;
  private long seq;

  public BenchLoad(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // On a shared 2-core machine the broker can stall for seconds; wait rather than expire batches.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /** Sends one run of ten spans starting now. */
  void sendRun() {
    boolean probe = ++seq % 100 == 0;
    String trace = (probe ? "ffff" : "0000") + UUID.randomUUID().toString().replace("-", "").substring(4);
    long nowMs = System.currentTimeMillis();
    long delta = nowMs * TestSpans.MS - TestSpans.T0;
    List<Span> spans = new ArrayList<>(SPANS_PER_RECORD);
    for (int i = 1; i < SPANS_PER_RECORD; i++) {
      spans.add(shift(TestSpans.stepSpan(trace, i, "step-" + i, 1, i, i + 1, false), delta));
    }
    spans.add(shift(TestSpans.runSpan(trace, "run_" + trace.substring(0, 12), "completed", 0, 20), delta));
    byte[] value = TestSpans.request(spans);
    if (probe) probes.put(trace, System.nanoTime());
    producer.send(new ProducerRecord<>(topic, trace, value), (meta, e) -> {
      if (e == null) spansAcked.addAndGet(SPANS_PER_RECORD);
      else sendFailures.incrementAndGet();
    });
    spansSent.addAndGet(SPANS_PER_RECORD);
  }

  private static Span shift(Span s, long delta) {
    return s.toBuilder().setStartTimeUnixNano(s.getStartTimeUnixNano() + delta)
        .setEndTimeUnixNano(s.getEndTimeUnixNano() + delta).build();
  }

  /** Produces {@code spansPerSecond} on a thread until {@link #stopSteady()}. */
  public void startSteady(int spansPerSecond) {
    steady.set(true);
    thread = new Thread(() -> {
      long runsPerTick = Math.max(1, spansPerSecond / SPANS_PER_RECORD / 100);
      long next = System.nanoTime();
      while (steady.get()) {
        for (int i = 0; i < runsPerTick; i++) sendRun();
        next += 10_000_000L;
        long wait = next - System.nanoTime();
        if (wait > 0) SinkFixture.sleep(wait / 1_000_000L);
      }
    }, "bench-load");
    thread.start();
  }

  public void stopSteady() throws InterruptedException {
    steady.set(false);
    if (thread != null) thread.join();
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}

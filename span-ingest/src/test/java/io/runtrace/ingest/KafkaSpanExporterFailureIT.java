package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.localstack.LocalStack;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The exporter against a real 3-broker cluster that fails: all brokers down, a rolling restart,
 * full disks. Each test emits steady load from its own thread into its own topic (3 partitions,
 * replication factor 3, min.insync.replicas=2) and counts what arrived by consuming the topic.
 * The stack is built here, in {@code target/failure-stack}, not by the shared extension.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaSpanExporterFailureIT {
  private static final Path WORK_DIR = Path.of("target/failure-stack").toAbsolutePath();
  private static LocalStack stack;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void startStack() throws Exception {
    if (TmpfsDisk.canMount()) TmpfsDisk.unmountAllUnder(WORK_DIR);
    stack = LocalStack.builder().brokers(3).workDir(WORK_DIR).startTimeout(Duration.ofSeconds(180))
        .brokerProperty("log.retention.bytes", "1073741824").build().start();
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) stack.close();
    if (TmpfsDisk.canMount()) TmpfsDisk.unmountAllUnder(WORK_DIR);
  }

  private KafkaSpanExporter exporter(String topic, long bufferBytes, Duration flushTimeout) {
    return KafkaSpanExporter.builder().bootstrapServers(stack.kafkaBootstrapServers()).topic(topic)
        .maxRecordBytes(256 * 1024).bufferBytes(bufferBytes).flushTimeout(flushTimeout)
        .reconnectBackoff(Duration.ofMillis(100)).reconnectBackoffMax(Duration.ofSeconds(2))
        .meterRegistry(registry).build();
  }

  private double dropped() {
    return registry.find("runtrace.ingest.spans.dropped").functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
  }

  private double dropped(String reason) {
    return registry.get("runtrace.ingest.spans.dropped").tag("reason", reason).functionCounter().count();
  }

  private double count(String name) {
    return registry.get(name).functionCounter().count();
  }

  /** Up to 10 ids in {@code ids} but not in {@code in}; AssertJ's containsAll is quadratic on sets this large. */
  private static Set<String> missing(Set<String> ids, Set<String> in) {
    Set<String> missing = new HashSet<>();
    for (String id : ids) {
      if (!in.contains(id) && missing.size() < 10) missing.add(id);
    }
    return missing;
  }

  /** Brokers whose log says their disk is full. */
  private static Set<String> disksFull() throws IOException {
    Set<String> full = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      Path log = WORK_DIR.resolve("kafka-" + i).resolve("logs/server.log");
      if (Files.exists(log) && Files.readString(log).contains("No space left on device")) full.add("kafka-" + i);
    }
    return full;
  }

  private static long openFiles() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * (a) Every broker killed for 30 s under steady load: export() stays fast, heap and open files
   * stay flat, spans beyond the budget are shed and counted, the rest arrive after the restart, and
   * delivered + dropped = emitted exactly.
   */
  @Test
  @Order(1)
  void allBrokersDownFor30Seconds() throws Exception {
    String topic = "failure-a-" + UUID.randomUUID();
    SpansTopic.createReplicated(stack.kafkaBootstrapServers(), topic);
    long budget = 8L * 1024 * 1024;
    KafkaSpanExporter exporter = exporter(topic, budget, Duration.ofSeconds(90));
    SteadyLoad load = new SteadyLoad(exporter, 5, 4, 200, 10);
    Thread.sleep(5_000);
    assertThat(count("runtrace.ingest.spans.sent")).as("sending before the outage").isPositive();

    for (int i = 0; i < 3; i++) stack.killBroker(i);
    Thread.sleep(5_000);
    long filesAtStart = openFiles();
    long heapAtStart = heapAfterGc();
    Thread.sleep(25_000);
    long filesAtEnd = openFiles();
    long heapAtEnd = heapAfterGc();
    double circuit = registry.get("runtrace.ingest.circuit.open").gauge().value();
    double shedDuringOutage = dropped("buffer_full");
    double sentDuringOutage = count("runtrace.ingest.spans.sent");
    stack.startBrokers(0, 1, 2);
    Thread.sleep(5_000);
    load.close();

    assertThat(exporter.flush().join(120, TimeUnit.SECONDS).isSuccess()).as("everything held was sent after recovery").isTrue();
    Set<String> delivered = SpansTopic.spanIds(stack.kafkaBootstrapServers(), topic, (int) (load.emitted.size() - dropped()));
    exporter.shutdown().join(30, TimeUnit.SECONDS);

    System.out.printf("(a) emitted=%d delivered=%d dropped=%.0f (buffer_full during outage %.0f) export p50=%.3f p99=%.3f max=%.1f ms "
            + "fds %d->%d heap %d->%d MiB recoveries=%.0f%n", load.emitted.size(), delivered.size(), dropped(), shedDuringOutage,
        load.latencyMillis(0.5), load.latencyMillis(0.99), load.latencyMillis(1.0), filesAtStart, filesAtEnd,
        heapAtStart >> 20, heapAtEnd >> 20, count("runtrace.ingest.producer.recoveries"));
    assertThat(circuit).as("circuit open while every broker is down").isEqualTo(1.0);
    assertThat(count("runtrace.ingest.spans.sent")).as("sending resumed after the restart").isGreaterThan(sentDuringOutage);
    assertThat(registry.get("runtrace.ingest.circuit.open").gauge().value()).as("circuit closed again").isZero();
    assertThat(shedDuringOutage).as("load beyond the budget was shed").isPositive();
    assertThat(load.latencyMillis(1.0)).as("slowest export() in ms, generous for a shared machine").isLessThan(2_000);
    assertThat(filesAtEnd).as("open files while Kafka is down").isLessThanOrEqualTo(filesAtStart + 10);
    assertThat(heapAtEnd - heapAtStart).as("heap growth while Kafka is down").isLessThan(budget + (32L << 20));
    assertThat(missing(load.accepted, delivered)).as("accepted spans that never arrived").isEmpty();
    assertThat(missing(delivered, load.emitted)).as("delivered spans never emitted").isEmpty();
    assertThat(delivered.size() + (long) dropped()).as("delivered + dropped = emitted").isEqualTo(load.emitted.size());
  }

  /** (b) Brokers stopped and restarted one at a time under load: no accepted span is lost; duplicates are only retries. */
  @Test
  @Order(2)
  void rollingRestartLosesNothing() throws Exception {
    String topic = "failure-b-" + UUID.randomUUID();
    SpansTopic.createReplicated(stack.kafkaBootstrapServers(), topic);
    KafkaSpanExporter exporter = exporter(topic, 32L * 1024 * 1024, Duration.ofSeconds(90));
    SteadyLoad load = new SteadyLoad(exporter, 5, 4, 200, 10);
    Thread.sleep(3_000);
    for (int i = 0; i < 3; i++) {
      stack.stopBroker(i);
      Thread.sleep(5_000);
      stack.startBroker(i);
      Thread.sleep(5_000);
    }
    load.close();

    assertThat(exporter.flush().join(120, TimeUnit.SECONDS).isSuccess()).isTrue();
    Set<String> delivered = SpansTopic.spanIds(stack.kafkaBootstrapServers(), topic, (int) (load.emitted.size() - dropped()));
    exporter.shutdown().join(30, TimeUnit.SECONDS);

    System.out.printf("(b) emitted=%d accepted=%d delivered=%d dropped=%.0f recoveries=%.0f export p99=%.3f ms%n",
        load.emitted.size(), load.accepted.size(), delivered.size(), dropped(), count("runtrace.ingest.producer.recoveries"),
        load.latencyMillis(0.99));
    assertThat(missing(load.accepted, delivered)).as("accepted spans that never arrived").isEmpty();
    assertThat(missing(delivered, load.emitted)).as("delivered spans never emitted").isEmpty();
    assertThat(delivered.size() + (long) dropped()).as("delivered + dropped = emitted").isEqualTo(load.emitted.size());
  }

  /**
   * (c) Full disks. Every broker's {@code log.dirs} is moved onto its own tmpfs limited to what it
   * holds plus 16 MiB (mounted by this test; needs root, as CI has), then incompressible spans are
   * sent until the disks are full. A Kafka broker that gets "No space left on device" takes its log
   * directory offline, and with its only directory (which also holds the KRaft metadata log) gone it
   * shuts down, so the cluster stops taking writes. The exporter must shed: export() stays fast, spans
   * are dropped as buffer_full, the circuit opens, and every span is accounted for.
   */
  @Test
  @Order(3)
  void fullDisksMakeTheExporterShedWithoutBlocking() throws Exception {
    Assumptions.assumeTrue(TmpfsDisk.canMount(), "mounting a size-limited tmpfs needs root");
    for (int i = 0; i < 3; i++) stack.killBroker(i);
    for (int i = 0; i < 3; i++) TmpfsDisk.mountOver(WORK_DIR.resolve("kafka-" + i).resolve("data"), 16L << 20);
    stack.startBrokers(0, 1, 2);
    String topic = "failure-c-" + UUID.randomUUID();
    SpansTopic.createReplicated(stack.kafkaBootstrapServers(), topic);
    KafkaSpanExporter exporter = exporter(topic, 8L * 1024 * 1024, Duration.ofSeconds(5));
    SteadyLoad load = new SteadyLoad(exporter, 10, 4, 2000, 5);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (disksFull().isEmpty() && System.nanoTime() < deadline) Thread.sleep(1_000);
    long fullAt = System.nanoTime();
    double sentWhenFull = count("runtrace.ingest.spans.sent");
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (registry.get("runtrace.ingest.circuit.open").gauge().value() < 1 && System.nanoTime() < deadline) Thread.sleep(1_000);
    double circuit = registry.get("runtrace.ingest.circuit.open").gauge().value();
    double secondsToOpen = (System.nanoTime() - fullAt) / 1e9;
    double shedBefore = dropped("buffer_full");
    Thread.sleep(10_000);
    double shedAfterOpen = dropped("buffer_full") - shedBefore;
    load.close();
    double sent = count("runtrace.ingest.spans.sent");
    double accepted = count("runtrace.ingest.spans.accepted");
    exporter.shutdown().join(60, TimeUnit.SECONDS);

    Set<String> diskFull = disksFull();
    System.out.printf("(c) emitted=%d accepted=%.0f sent=%.0f (%.0f when a disk filled) dropped=%.0f (buffer_full %.0f, %.0f in the 10 s after "
            + "the circuit opened; shutdown %.0f) circuit=%.0f %.1f s after the disk filled; export p99=%.3f max=%.1f ms; disk full on %s%n",
        load.emitted.size(), accepted, sent, sentWhenFull, dropped(), dropped("buffer_full"), shedAfterOpen, dropped("shutdown"), circuit,
        secondsToOpen, load.latencyMillis(0.99), load.latencyMillis(1.0), diskFull);
    assertThat(diskFull).as("brokers that hit their disk limit").isNotEmpty();
    assertThat(shedAfterOpen).as("spans shed while the disks were full").isPositive();
    assertThat(circuit).isEqualTo(1.0);
    assertThat(load.latencyMillis(1.0)).as("slowest export() in ms, generous for a shared machine").isLessThan(2_000);
    assertThat(accepted + dropped("buffer_full") + dropped("too_large") + dropped("invalid") + dropped("unserializable"))
        .as("every emitted span was taken or shed").isEqualTo(load.emitted.size());
  }
}

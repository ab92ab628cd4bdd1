package io.runtrace.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Span counters of one shared producer, bound to any number of registries. Prometheus names:
 * {@code runtrace_ingest_spans_accepted_total}, {@code _sent_total}, {@code _dropped_total{reason}},
 * {@code _trimmed_total}, {@code runtrace_ingest_buffered_bytes}, {@code runtrace_ingest_in_flight_records},
 * {@code runtrace_ingest_send_latency_seconds}, {@code runtrace_ingest_producer_recoveries_total},
 * {@code runtrace_ingest_circuit_open}, {@code runtrace_ingest_requests_throttled_total}; all tagged with the topic.
 * Also {@code runtrace_auth_failures_total{component="span-ingest",credential="kafka"}}, without a topic.
 */
final class IngestMetrics {
  /** Why spans were dropped; the {@code reason} tag value is the lower-case name. */
  enum DropReason {
    BUFFER_FULL,
    TOO_LARGE,
    UNSERIALIZABLE,
    INVALID,
    FATAL_PRODUCER_ERROR,
    /** Kafka refused the credentials (SASL login or ACL). */
    AUTH,
    SHUTDOWN;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String topic;
  // Swapped when a released producer is acquired again, so meters already registered stay live.
  private volatile ByteBudget budget;
  final LongAdder accepted = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder trimmed = new LongAdder();
  final LongAdder recreated = new LongAdder();
  final LongAdder throttled = new LongAdder();
  /** Records handed to the Kafka producer and not yet acknowledged or failed. */
  final AtomicLong inFlight = new AtomicLong();
  /** 1 while Kafka is considered unreachable, else 0. */
  final AtomicInteger circuitOpen = new AtomicInteger();
  // Sent-to-acknowledged latency; bound to every registry, fed from one place.
  private final List<Timer> latencies = new CopyOnWriteArrayList<>();
  // runtrace.auth.failures{credential="kafka"} in every registry bound; shared by all producers there.
  private final List<Counter> authFailures = new CopyOnWriteArrayList<>();
  private final LongAdder authFailuresTotal = new LongAdder();
  private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);

  IngestMetrics(String topic) {
    this.topic = topic;
    for (DropReason r : DropReason.values()) dropped.put(r, new LongAdder());
  }

  void budget(ByteBudget budget) {
    this.budget = budget;
  }

  void dropped(DropReason reason, long spans) {
    dropped.get(reason).add(spans);
  }

  long droppedCount(DropReason reason) {
    return dropped.get(reason).sum();
  }

  /** Counts one send that Kafka refused for the credentials. */
  void authFailure() {
    authFailuresTotal.increment();
    for (Counter c : authFailures) c.increment();
  }

  long authFailures() {
    return authFailuresTotal.sum();
  }

  void sendLatency(long nanos) {
    for (Timer t : latencies) t.record(nanos, TimeUnit.NANOSECONDS);
  }

  void bindTo(MeterRegistry registry) {
    counter(registry, "runtrace.ingest.spans.trimmed", trimmed, "Spans sent with attributes and events cut to fit maxRecordBytes");
    Gauge.builder("runtrace.ingest.in.flight", inFlight, AtomicLong::doubleValue)
        .description("Records handed to the Kafka producer, not yet acknowledged").baseUnit("records").tag("topic", topic).register(registry);
    Gauge.builder("runtrace.ingest.circuit.open", circuitOpen, AtomicInteger::doubleValue)
        .description("1 while Kafka is considered unreachable, 0 otherwise").tag("topic", topic).register(registry);
    Timer timer = Timer.builder("runtrace.ingest.send.latency").description("From send() to Kafka's acknowledgement")
        .publishPercentiles(0.5, 0.99).tag("topic", topic).register(registry);
    // By identity: meters are equal by name and tags, so contains() would skip a second registry's.
    if (latencies.stream().noneMatch(t -> t == timer)) latencies.add(timer);
    Counter auth = AuthFailures.counter(registry, AuthFailures.KAFKA);
    if (authFailures.stream().noneMatch(c -> c == auth)) authFailures.add(auth);
    counter(registry, "runtrace.ingest.spans.accepted", accepted, "Spans accepted into the buffer");
    counter(registry, "runtrace.ingest.spans.sent", sent, "Spans acknowledged by Kafka");
    counter(registry, "runtrace.ingest.producer.recoveries", recreated, "Kafka producers replaced after a sequence, epoch or fatal error");
    counter(registry, "runtrace.ingest.requests.throttled", throttled, "OTLP requests answered 429 because the buffer was full");
    dropped.forEach(
        (reason, adder) ->
            FunctionCounter.builder("runtrace.ingest.spans.dropped", adder, LongAdder::doubleValue)
                .description("Spans dropped, by reason")
                .tag("topic", topic)
                .tag("reason", reason.tag())
                .register(registry));
    Gauge.builder("runtrace.ingest.buffered", this, m -> (double) m.budget.used())
        .description("Bytes held until Kafka acknowledges them")
        .baseUnit(BaseUnits.BYTES)
        .tag("topic", topic)
        .register(registry);
  }

  private void counter(MeterRegistry registry, String name, LongAdder adder, String description) {
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).description(description).tag("topic", topic).register(registry);
  }
}

package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.runtrace.model.KafkaCredentials;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordSenderTest {
  private final List<MockProducer<String, byte[]>> producers = new CopyOnWriteArrayList<>();
  private final SharedProducer shared = SharedProducer.acquire(
      new ProducerSettings("unused:9092", "test-" + UUID.randomUUID(), 4096, 1 << 20, 0, Map.of(), KafkaCredentials.NONE),
      props -> {
        MockProducer<String, byte[]> p = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        producers.add(p);
        return p;
      });

  @AfterEach
  void release() {
    shared.release(Duration.ofMillis(100));
  }

  private static TraceRecord record(int trace) {
    return new TraceRecord(TestSpans.traceId(trace), new byte[100], 2, false);
  }

  /** Waits up to 5 s for the sender thread to hand records to a producer. */
  private static void awaitSent(MockProducer<String, byte[]> p, int count) throws InterruptedException {
    for (int i = 0; i < 500 && p.history().size() < count; i++) Thread.sleep(10);
    assertThat(p.history()).hasSize(count);
  }

  private MockProducer<String, byte[]> producer(int index) throws InterruptedException {
    for (int i = 0; i < 500 && producers.size() <= index; i++) Thread.sleep(10);
    return producers.get(index);
  }

  @Test
  void acknowledgedRecordsAreCountedSentAndReleased() throws Exception {
    shared.offer(record(1));
    MockProducer<String, byte[]> p = producer(0);
    awaitSent(p, 1);
    assertThat(p.history().get(0).key()).isEqualTo(TestSpans.traceId(1));
    p.completeNext();
    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(shared.metrics.sent.sum()).isEqualTo(2);
  }

  @Test
  void outOfOrderSequenceReplacesTheProducerAndResendsWhatItHeld() throws Exception {
    for (int i = 1; i <= 3; i++) shared.offer(record(i));
    MockProducer<String, byte[]> first = producer(0);
    awaitSent(first, 3);

    first.errorNext(new OutOfOrderSequenceException("broker recovered"));
    MockProducer<String, byte[]> second = producer(1);
    // The replaced producer fails what it still had in flight, as KafkaProducer.close(0) does.
    while (first.errorNext(new org.apache.kafka.common.KafkaException("producer closed forcefully"))) {}
    awaitSent(second, 3);
    while (second.completeNext()) {}

    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(second.history()).extracting(r -> r.key())
        .containsExactlyInAnyOrder(TestSpans.traceId(1), TestSpans.traceId(2), TestSpans.traceId(3));
    assertThat(shared.metrics.recreated.sum()).isEqualTo(1);
    assertThat(shared.metrics.sent.sum()).isEqualTo(6);
    assertThat(shared.metrics.droppedCount(IngestMetrics.DropReason.FATAL_PRODUCER_ERROR)).isZero();
  }

  @Test
  void retriableErrorsKeepTheRecordAndOthersAreDroppedByReason() throws Exception {
    shared.offer(record(1));
    shared.offer(record(2));
    shared.offer(record(3));
    MockProducer<String, byte[]> p = producer(0);
    awaitSent(p, 3);
    p.errorNext(new TimeoutException("delivery timeout"));
    p.errorNext(new RecordTooLargeException("too large"));
    awaitSent(p, 4);
    p.completeNext();
    p.completeNext();

    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(p.history().get(3).key()).isEqualTo(TestSpans.traceId(1));
    assertThat(shared.metrics.sent.sum()).isEqualTo(4);
    assertThat(shared.metrics.droppedCount(IngestMetrics.DropReason.TOO_LARGE)).isEqualTo(2);
  }

  @Test
  void aFatalErrorGetsAFreshProducerAFewTimesThenTheRecordIsDroppedAndCounted() throws Exception {
    shared.offer(record(1));
    for (int i = 0; i <= RecordSender.MAX_RECOVERIES; i++) {
      MockProducer<String, byte[]> p = producer(i);
      awaitSent(p, 1);
      p.errorNext(new UnsupportedVersionException("broker too old"));
    }

    assertThat(shared.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(shared.metrics.recreated.sum()).isEqualTo(RecordSender.MAX_RECOVERIES);
    assertThat(shared.metrics.droppedCount(IngestMetrics.DropReason.FATAL_PRODUCER_ERROR)).isEqualTo(2);
  }

  @Test
  void aFatalErrorOnceIsRecoveredWithoutLoss() throws Exception {
    shared.offer(record(1));
    MockProducer<String, byte[]> first = producer(0);
    awaitSent(first, 1);
    first.errorNext(new org.apache.kafka.common.KafkaException("producer in a fatal state"));
    MockProducer<String, byte[]> second = producer(1);
    awaitSent(second, 1);
    second.completeNext();

    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(shared.metrics.recreated.sum()).isEqualTo(1);
    assertThat(shared.metrics.sent.sum()).isEqualTo(2);
    assertThat(shared.metrics.droppedCount(IngestMetrics.DropReason.FATAL_PRODUCER_ERROR)).isZero();
  }

  @Test
  void aRefusedLoginDropsTheRecordAsAuthCountsItAndShowsInReadinessUntilASendSucceeds() throws Exception {
    shared.offer(record(1));
    MockProducer<String, byte[]> first = producer(0);
    awaitSent(first, 1);
    first.errorNext(new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials"));

    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(shared.metrics.droppedCount(IngestMetrics.DropReason.AUTH)).isEqualTo(2);
    assertThat(shared.metrics.authFailures()).isEqualTo(1);
    assertThat(shared.metrics.sent.sum()).isZero();
    assertThat(shared.ready()).isFalse();
    assertThat(shared.credentialRefused())
        .isEqualTo("Kafka at unused:9092 refused the login of credential PLAINTEXT: SaslAuthenticationException: "
            + "Authentication failed during authentication due to invalid credentials");

    shared.offer(record(2));
    MockProducer<String, byte[]> second = producer(1);
    awaitSent(second, 1);
    second.completeNext();
    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(shared.credentialRefused()).isNull();
    assertThat(shared.ready()).isTrue();
  }

  @Test
  void aDeniedPermissionIsARefusalToo() throws Exception {
    shared.offer(record(1));
    MockProducer<String, byte[]> p = producer(0);
    awaitSent(p, 1);
    p.errorNext(new org.apache.kafka.common.KafkaException("send failed", new TopicAuthorizationException("not authorized")));

    assertThat(shared.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(shared.metrics.droppedCount(IngestMetrics.DropReason.AUTH)).isEqualTo(2);
    assertThat(shared.credentialRefused()).startsWith("Kafka at unused:9092 denied a permission to credential PLAINTEXT: "
        + "TopicAuthorizationException: not authorized");
  }
}

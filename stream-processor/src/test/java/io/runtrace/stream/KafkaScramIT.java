package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.StackCredentials;
import io.runtrace.model.KafkaCredentials;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The processor on the brokers' SASL_PLAINTEXT (SCRAM-SHA-512) listener: with the right login every
 * client of it (Streams, the sink's consumer, the lag monitor) works and runs arrive end to end;
 * with a wrong password /health says 503 naming the Kafka user and mechanism and
 * {@code runtrace_auth_failures_total{credential="kafka"}} counts it.
 */
@ForEachClickHouseEngine
class KafkaScramIT {
  private final ClickHouseEngine engine;

  KafkaScramIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  private static KafkaCredentials scram(String password) {
    return KafkaCredentials.scram("SASL_PLAINTEXT", StackCredentials.KAFKA_SASL_MECHANISM, StackCredentials.KAFKA_SASL_USER,
        password);
  }

  @Test
  void withTheRightScramLoginRunsArriveEndToEnd(LocalStack stack) throws Exception {
    try (SinkFixture f = new SinkFixture(stack, engine, "scram_it");
        StreamProcessor p = f.processor(Files.createTempDirectory("scram-it"))
            .bootstrapServers(stack.kafkaSaslBootstrapServers())
            .kafkaCredentials(scram(StackCredentials.KAFKA_SASL_PASSWORD))
            .consumerLagRefresh(Duration.ofSeconds(1)).httpPort(0).build().start()) {
      for (int i = 0; i < 60; i++) f.sendRun(i);
      f.assertExactlyOnceOnReader(Duration.ofMinutes(3));
      ProcessorProbe probe = new ProcessorProbe(p);
      SinkFixture.await(() -> probe.health().status() == 200, Duration.ofMinutes(1), "/health is 200");
      // The lag monitor's admin client got through the SASL listener too: it measured the lag (-1 until then).
      SinkFixture.await(() -> p.meterRegistry().get("runtrace.sink.consumer.lag.records").tag("topic", f.enriched)
          .gauge().value() >= 0, Duration.ofMinutes(1), "the lag monitor measures the lag");
      assertThat(probe.authFailures("kafka")).isZero();
      assertThat(probe.authFailures("clickhouse")).isZero();
    }
  }

  @Test
  void aWrongScramPasswordShowsInHealthAndMetricsAndWritesNothing(LocalStack stack) throws Exception {
    String wrong = "not-" + StackCredentials.KAFKA_SASL_PASSWORD;
    try (SinkFixture f = new SinkFixture(stack, engine, "scram_refused_it");
        StreamProcessor p = f.processor(Files.createTempDirectory("scram-refused-it"))
            .bootstrapServers(stack.kafkaSaslBootstrapServers()).kafkaCredentials(scram(wrong))
            .httpPort(0).build().start()) {
      for (int i = 0; i < 10; i++) f.sendRun(i);
      f.producer.flush();
      ProcessorProbe probe = new ProcessorProbe(p);
      SinkFixture.await(() -> probe.authFailures("kafka") > 0 && probe.health().status() == 503, Duration.ofMinutes(1),
          "a refused Kafka login is counted and /health is 503");
      assertThat(probe.health().reason())
          .startsWith("Kafka at " + stack.kafkaSaslBootstrapServers() + " refused the SASL login of user \""
              + StackCredentials.KAFKA_SASL_USER + "\" (SASL_PLAINTEXT SCRAM-SHA-512 as runtrace): ")
          .doesNotContain(wrong);
      assertThat(probe.metrics()).doesNotContain(wrong);
      assertThat(probe.authFailures("clickhouse")).isZero();
      SinkFixture.sleep(3_000);
      assertThat(probe.health().status()).as("still refused").isEqualTo(503);
      assertThat(f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list")).isZero();
    }
  }
}

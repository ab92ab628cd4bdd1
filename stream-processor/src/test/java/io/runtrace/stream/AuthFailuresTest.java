package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.model.KafkaCredentials;
import java.net.URI;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class AuthFailuresTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AuthFailures auth = new AuthFailures(registry,
      KafkaCredentials.scram("SASL_PLAINTEXT", "SCRAM-SHA-512", "runtrace", "runtrace-secret"), "127.0.0.1:9094",
      URI.create("http://127.0.0.1:8123"));

  private double count(String credential) {
    return registry.get(AuthFailures.METRIC).tag("component", "stream-processor").tag("credential", credential)
        .counter().count();
  }

  @Test
  void bothSeriesExistAtZero() {
    assertThat(count("kafka")).isZero();
    assertThat(count("clickhouse")).isZero();
    assertThat(auth.reason()).isEmpty();
  }

  @Test
  void aRefusedSaslLoginInsideAStreamsErrorCountsAndNamesTheUserAndMechanism() {
    boolean refused = auth.kafkaRefused("kafka-streams", new StreamsException(new KafkaException(
        new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"))));
    assertThat(refused).isTrue();
    assertThat(count("kafka")).isEqualTo(1);
    assertThat(auth.reason()).hasValueSatisfying(r -> assertThat(r)
        .startsWith("Kafka at 127.0.0.1:9094 refused the SASL login of user \"runtrace\" (SASL_PLAINTEXT SCRAM-SHA-512 as runtrace): ")
        .contains("invalid credentials")
        .doesNotContain("runtrace-secret"));
  }

  @Test
  void theLogSaysWhatWasRefusedAndForWhomOncePerChangeNeverThePassword() {
    java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(AuthFailures.class.getName());
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override public void publish(java.util.logging.LogRecord r) {
        records.add(r);
      }
      @Override public void flush() {}
      @Override public void close() {}
    };
    log.addHandler(handler);
    try {
      for (int i = 0; i < 3; i++) auth.kafkaRefused("kafka-sink-consumer", new SaslAuthenticationException("invalid credentials"));
      auth.cleared("kafka-sink-consumer");
    } finally {
      log.removeHandler(handler);
    }
    assertThat(records).hasSize(2);
    assertThat(records.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
    assertThat(records.get(0).getMessage()).contains("user \"runtrace\"").contains("SCRAM-SHA-512")
        .contains("127.0.0.1:9094").contains("kafka-sink-consumer").doesNotContain("runtrace-secret");
    assertThat(records.get(1).getMessage()).startsWith("credential accepted again (kafka-sink-consumer)");
    assertThat(count("kafka")).isEqualTo(3);
  }

  @Test
  void aDeniedGroupIsARefusalToo() {
    assertThat(auth.kafkaRefused("kafka-sink-consumer", new GroupAuthorizationException("Not authorized to access group: g"))).isTrue();
    assertThat(auth.reason()).hasValueSatisfying(r -> assertThat(r).startsWith("Kafka at 127.0.0.1:9094 denied user \"runtrace\""));
  }

  @Test
  void otherErrorsAreNotRefusals() {
    assertThat(auth.kafkaRefused("kafka-streams", new StreamsException(new TimeoutException("no broker")))).isFalse();
    assertThat(auth.clickHouseRefused("clickhouse-sink", new IllegalStateException("down"))).isFalse();
    assertThat(count("kafka")).isZero();
    assertThat(count("clickhouse")).isZero();
    assertThat(auth.reason()).isEmpty();
  }

  @Test
  void aRefusalHoldsUntilItsOwnSourceSucceeds() {
    auth.kafkaRefused("kafka-streams", new SaslAuthenticationException("bad"));
    auth.kafkaRefused("kafka-sink-consumer", new SaslAuthenticationException("bad"));
    auth.cleared("kafka-streams");
    assertThat(auth.reason()).isPresent();
    auth.cleared("kafka-sink-consumer");
    assertThat(auth.reason()).isEmpty();
    assertThat(count("kafka")).isEqualTo(2);
  }
}

package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class LocalStackIT {
  private final LocalStack stack;

  LocalStackIT(LocalStack stack) {
    this.stack = stack;
  }

  @Test
  void kafkaRoundTripsARecord() throws Exception {
    String topic = "it-" + UUID.randomUUID();
    Map<String, Object> common = Map.of("bootstrap.servers", stack.kafkaBootstrapServers());
    try (Admin admin = Admin.create(common)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "run-1", "span")).get();
    }
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(common, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      ConsumerRecord<String, String> record = null;
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (record == null && System.nanoTime() < until) {
        var records = consumer.poll(Duration.ofMillis(500));
        record = records.isEmpty() ? null : records.iterator().next();
      }
      assertThat(record).isNotNull();
      assertThat(record.key()).isEqualTo("run-1");
      assertThat(record.value()).isEqualTo("span");
    }
  }

  @Test
  void theSaslListenerTakesTheScramUserAndRefusesAWrongPassword() throws Exception {
    String topic = "it-sasl-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(scram(StackCredentials.KAFKA_SASL_PASSWORD),
        new StringSerializer(), new StringSerializer())) {
      assertThat(producer.send(new ProducerRecord<>(topic, "run-1", "span")).get().offset()).isZero();
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(scram("wrong"),
        new StringSerializer(), new StringSerializer())) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "run-2", "span")).get())
          .hasCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
    }
  }

  private Map<String, Object> scram(String password) {
    return Map.of("bootstrap.servers", stack.kafkaSaslBootstrapServers(),
        "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", StackCredentials.KAFKA_SASL_MECHANISM,
        "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + StackCredentials.KAFKA_SASL_USER + "\" password=\"" + password + "\";",
        "max.block.ms", 10_000, "delivery.timeout.ms", 15_000, "request.timeout.ms", 5_000);
  }

  // Needs a writer and a reader replica: the 18.16 pair only.
  @Test
  void writerReplicatesToReaderAndDeduplicatesARetriedBlock() throws Exception {
    assumeTrue(stack.clickHouseEngines().contains(ClickHouseEngine.V18_16), "needs the replicated 18.16 pair");
    ClickHouseDeployment ch = stack.clickHouse(ClickHouseEngine.V18_16);
    String table = "t_" + UUID.randomUUID().toString().replace("-", "");
    String ddl = "CREATE TABLE " + table + " (id UInt64, name String) ENGINE = ReplicatedMergeTree("
        + "'/clickhouse/tables/{shard}/it/" + table + "', '{replica}') ORDER BY id";
    ClickHouseHttp.query(ch.writerUrl(), ddl);
    ClickHouseHttp.query(ch.readerUrl(), ddl);

    String insert = "INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b'), (3, 'c')";
    ClickHouseHttp.query(ch.writerUrl(), insert);
    ClickHouseHttp.query(ch.writerUrl(), insert); // a retry of the same block

    String count = "SELECT count() FROM " + table;
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String seen = ClickHouseHttp.query(ch.readerUrl(), count);
    while (!"3".equals(seen) && System.nanoTime() < until) {
      Thread.sleep(200);
      seen = ClickHouseHttp.query(ch.readerUrl(), count);
    }
    assertThat(seen).isEqualTo("3");
    assertThat(ClickHouseHttp.query(ch.writerUrl(), count)).isEqualTo("3");
  }
}

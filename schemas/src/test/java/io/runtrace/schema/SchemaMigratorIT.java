package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalStackExtension.class)
class SchemaMigratorIT {
  @Test
  void migratesWriterAndReaderOnceAndTablesReplicate(LocalStack stack) throws Exception {
    String db = "schema_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = db(stack.clickHouseWriterUrl(), db);
        ClickHouseDatabase reader = db(stack.clickHouseReaderUrl(), db)) {
      SchemaMigrator migrator = SchemaMigrator.builder().clickHouse(writer).clickHouse(reader).database(db).build();
      assertThat(migrator.migrate().values()).containsOnly(List.of(1, 2));
      assertThat(migrator.migrate().values()).containsOnly(List.of());

      writer.insertJsonEachRow(db + ".runs", ("{\"tenant\":\"t\",\"run_id\":\"r1\",\"status\":\"running\","
          + "\"created_unix_nano\":1763800000000000000,\"version\":1}\n").getBytes(StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (reader.query("SELECT run_id FROM " + db + ".runs").isEmpty()) {
        assertThat(System.nanoTime()).as("row replicated to the reader within 30 s").isLessThan(deadline);
        Thread.sleep(100);
      }
      assertThat(reader.query("SELECT toString(created_time) AS c FROM " + db + ".runs").get(0).get("c").asText())
          .startsWith("2025-11-2");
    }
  }

  @Test
  void failsWhenAnAppliedMigrationChanged(LocalStack stack) {
    String db = "schema_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = db(stack.clickHouseWriterUrl(), db)) {
      SchemaMigrator.builder().clickHouse(writer).database(db).build().migrate();
      writer.execute("ALTER TABLE " + db + ".schema_migrations UPDATE checksum = 'x' WHERE version = 1");
      // 18.16 applies mutations asynchronously; wait for it.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!writer.query("SELECT checksum FROM " + db + ".schema_migrations WHERE version = 1")
          .get(0).get("checksum").asText().equals("x") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThatThrownBy(() -> SchemaMigrator.builder().clickHouse(writer).database(db).build().migrate())
          .hasMessageContaining("different checksum");
    }
  }

  @Test
  void createsTopicsWithTimeAndByteRetentionIdempotently(LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    SchemaMigrator migrator = SchemaMigrator.builder().kafkaBootstrapServers(stack.kafkaBootstrapServers())
        .topics("s-" + suffix, "e-" + suffix, "r-" + suffix, "d-" + suffix)
        .retentionBytesPerPartition(64L << 20).build();
    migrator.migrate();
    migrator.migrate();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    try (Admin admin = Admin.create(p)) {
      ConfigResource spans = new ConfigResource(ConfigResource.Type.TOPIC, "s-" + suffix);
      ConfigResource runs = new ConfigResource(ConfigResource.Type.TOPIC, "r-" + suffix);
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(spans, runs)).all().get();
      assertThat(configs.get(spans).get("retention.bytes").value()).isEqualTo(Long.toString(64L << 20));
      assertThat(configs.get(spans).get("retention.ms").value()).isEqualTo(Long.toString(7L * 24 * 3600 * 1000));
      assertThat(configs.get(runs).get("cleanup.policy").value()).isEqualTo("compact,delete");
      assertThat(admin.describeTopics(List.of("s-" + suffix)).allTopicNames().get().get("s-" + suffix)
          .partitions()).hasSize(6);
    }
  }

  private static ClickHouseDatabase db(java.net.URI url, String db) {
    return ClickHouseDatabase.builder().url(url).database(db).build();
  }
}

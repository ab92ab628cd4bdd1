package io.runtrace.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
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
class KafkaTopicCreatorIT {
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
}

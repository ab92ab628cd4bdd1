package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** Three brokers: stop, kill and restart single servers as the failure tests will. */
class LocalStackFailoverIT {
  @Test
  void brokersAndTheClickHouseWriterRestart() throws Exception {
    try (LocalStack stack = LocalStack.builder()
        .workDir(Path.of(System.getProperty("user.dir"), "target", "it-failover-stack"))
        .brokers(3).build().start()) {
      assertThat(stack.kafkaBootstrapServers().split(",")).hasSize(3);
      assertThat(brokersSeen(stack)).isEqualTo(3);

      stack.stopBroker(2);
      stack.startBroker(2);
      stack.killBroker(1);
      stack.startBroker(1);
      assertThat(brokersSeen(stack)).isEqualTo(3);

      stack.stopClickHouseWriter();
      assertThatThrownBy(() -> ClickHouseHttp.query(stack.clickHouseWriterUrl(), "SELECT 1"));
      stack.startClickHouseWriter();
      assertThat(ClickHouseHttp.query(stack.clickHouseWriterUrl(), "SELECT 1")).isEqualTo("1");
    }
  }

  private static int brokersSeen(LocalStack stack) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
      return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
    }
  }
}

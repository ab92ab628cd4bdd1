package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** Three brokers and every ClickHouse engine: stop, kill and restart single servers as the failure tests will. */
class LocalStackFailoverIT {
  @Test
  void brokersAndTheClickHouseWriterRestart() throws Exception {
    try (LocalStack stack = LocalStack.builder()
        .workDir(Path.of(System.getProperty("user.dir"), "target", "it-failover-stack"))
        .brokers(3).clickHouseEngines(LocalStackExtension.engines()).build().start()) {
      assertThat(stack.kafkaBootstrapServers().split(",")).hasSize(3);
      assertThat(brokersSeen(stack)).isEqualTo(3);

      stack.stopBroker(2);
      stack.startBroker(2);
      stack.killBroker(1);
      stack.startBroker(1);
      assertThat(brokersSeen(stack)).isEqualTo(3);

      for (ClickHouseEngine engine : stack.clickHouseEngines()) {
        ClickHouseDeployment ch = stack.clickHouse(engine);
        ClickHouseHttp.query(ch.writerUrl(), "CREATE TABLE restart_kept (id UInt64) ENGINE = MergeTree ORDER BY id");
        ClickHouseHttp.query(ch.writerUrl(), "INSERT INTO restart_kept VALUES (1), (2), (3)");
        ch.stopWriter();
        assertThatThrownBy(() -> ClickHouseHttp.query(ch.writerUrl(), "SELECT 1")).as(engine + " stopped");
        ch.startWriter();
        assertThat(ClickHouseHttp.query(ch.writerUrl(), "SELECT count() FROM restart_kept")).as(engine + " kept its data")
            .isEqualTo("3");
      }
    }
  }

  private static int brokersSeen(LocalStack stack) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
      return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
    }
  }
}

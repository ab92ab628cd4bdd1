package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackTest {
  @TempDir Path workDir;

  @Test
  void rejectsBrokerCountOutsideOneToFive() {
    assertThatThrownBy(() -> LocalStack.builder().brokers(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("brokers must be 1..5, was 0");
    assertThatThrownBy(() -> LocalStack.builder().brokers(6).build())
        .hasMessage("brokers must be 1..5, was 6");
  }

  @Test
  void rejectsReaderCountsOutsideOneToThree() {
    assertThatThrownBy(() -> LocalStack.builder().clickHouseReaders(0)).hasMessage("clickHouseReaders must be 1..3, was 0");
    assertThatThrownBy(() -> LocalStack.builder().clickHouseReaders(4)).hasMessage("clickHouseReaders must be 1..3, was 4");
  }

  @Test
  void rejectsPortsOutOfRange() {
    assertThatThrownBy(() -> LocalStack.builder().zookeeperPort(-1).build())
        .hasMessage("zookeeperPort must be 0 (free port) or 1..65535, was -1");
    assertThatThrownBy(() -> LocalStack.builder().clickHouseReaderHttpPort(70000).build())
        .hasMessageStartingWith("clickHouseReaderHttpPort must be 0 (free port) or 1..65535");
    assertThatThrownBy(() -> LocalStack.builder().brokers(3).kafkaPort(65534).build())
        .hasMessage("kafkaPort must be 0 (free port) or 1..65535 leaving room for all brokers,"
            + " was 65534");
  }

  @Test
  void rejectsTheSamePortForTwoSettings() {
    assertThatThrownBy(() -> LocalStack.builder().brokers(2).kafkaPort(9092)
        .clickHouseWriterHttpPort(9093).build())
        .hasMessage("clickHouseWriterHttpPort 9093 is already used by kafkaPort + 1");
  }

  @Test
  void rejectsNonPositiveStartTimeout() {
    assertThatThrownBy(() -> LocalStack.builder().startTimeout(Duration.ZERO).build())
        .hasMessage("startTimeout must be positive, was PT0S");
  }

  @Test
  void rejectsBrokerPropertiesTheStackManages() {
    assertThatThrownBy(() -> LocalStack.builder().brokerProperty("node.id", "7"))
        .hasMessage("brokerProperty node.id is set by LocalStack itself");
  }

  @Test
  void explainsHowToInstallAMissingClickHouse() {
    LocalStack stack = LocalStack.builder().workDir(workDir)
        .clickHouseServerBinary("clickhouse-server-not-installed").build();
    assertThatThrownBy(stack::start)
        .hasMessageContaining("clickhouse-server-not-installed not found on PATH or in /usr/sbin")
        .hasMessageContaining("apt-get install -y clickhouse-server clickhouse-client");
  }

  @Test
  void explainsHowToInstallAMissingChDbLibrary() {
    Path missing = workDir.resolve("nowhere/libchdb.so");
    LocalStack stack = LocalStack.builder().workDir(workDir).clickHouseEngines(ClickHouseEngine.V26_7)
        .chDbLibrary(missing).build();
    assertThatThrownBy(stack::start)
        .hasMessageStartingWith("ClickHouse 26.7 needs chDB's library, not found at " + missing)
        .hasMessageContaining("install it with bin/prerequisites, or: npm install --prefix ")
        .hasMessageContaining("--ignore-scripts chdb@3.4.0");
  }

  @Test
  void needsAtLeastOneClickHouseEngine() {
    assertThatThrownBy(() -> LocalStack.builder().clickHouseEngines(List.of()))
        .hasMessage("clickHouseEngines must name at least one of 18.16, 26.7");
    assertThatThrownBy(() -> ClickHouseEngine.parseList("18.16,27", "runtrace.clickhouse"))
        .hasMessage("runtrace.clickhouse must be 18.16 or 26.7, was \"27\"");
  }

  @Test
  void aSingle267ServerNeedsNoZooKeeper() throws Exception {
    try (ServerSocket zk = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // A taken ZooKeeper port only matters when an engine replicates: the failure here is the chDB port.
      LocalStack stack = LocalStack.builder().workDir(workDir).clickHouseEngines(ClickHouseEngine.V26_7)
          .zookeeperPort(zk.getLocalPort()).chDbHttpPort(taken.getLocalPort()).build();
      assertThatThrownBy(stack::start)
          .hasMessageStartingWith("port " + taken.getLocalPort() + " (chDbHttpPort) is already in use");
    }
  }

  @Test
  void namesAFixedPortThatIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // /bin/true stands in for clickhouse-server: the port check fails before anything starts.
      LocalStack stack = LocalStack.builder().workDir(workDir).clickHouseServerBinary("/bin/true")
          .zookeeperPort(taken.getLocalPort()).build();
      assertThatThrownBy(stack::start)
          .hasMessageStartingWith("port " + taken.getLocalPort() + " (zookeeperPort) is already in use");
    }
  }
}

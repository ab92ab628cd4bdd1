package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/** The servers of one stack, wired to each other's ports, and the work dir they live in. */
final class StackServers {
  /** Null when no engine replicates: only replicated ClickHouse tables need ZooKeeper. */
  ZooKeeperServer zookeeper;
  final List<KafkaBroker> brokers = new ArrayList<>();
  final Map<ClickHouseEngine, ClickHouseDeployment> clickHouse = new EnumMap<>(ClickHouseEngine.class);

  private StackServers() {}

  static StackServers create(LocalStack.Builder settings, Path workDir) {
    StackServers s = new StackServers();
    Ports ports = new Ports();
    boolean replicated = settings.clickHouseEngines.stream().anyMatch(ClickHouseEngine::replicated);
    int zkPort = replicated ? ports.pick(settings.zookeeperPort, "zookeeperPort") : 0;
    int controllers = settings.brokers >= 3 ? 3 : 1;
    int[] kafkaPorts = new int[settings.brokers];
    int[] controllerPorts = new int[settings.brokers];
    int[] saslPorts = new int[settings.brokers];
    for (int i = 0; i < settings.brokers; i++) {
      kafkaPorts[i] = ports.pick(settings.kafkaPort == 0 ? 0 : settings.kafkaPort + i,
          "kafkaPort" + (i == 0 ? "" : " + " + i + " (broker " + i + ")"));
      controllerPorts[i] = i < controllers ? ports.pick(0, "controller port") : 0;
      saslPorts[i] = ports.pick(0, "SASL_PLAINTEXT port of broker " + i);
    }
    String voters = Stream.iterate(0, i -> i + 1).limit(controllers)
        .map(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i]).collect(Collectors.joining(","));
    String clusterId = (settings.keepData ? KafkaBroker.existingClusterId(workDir)
        : Optional.<String>empty()).orElseGet(() -> Uuid.randomUuid().toString());
    s.zookeeper = replicated ? new ZooKeeperServer(workDir, zkPort) : null;
    for (int i = 0; i < settings.brokers; i++) {
      s.brokers.add(new KafkaBroker(workDir, i, kafkaPorts[i], saslPorts[i], controllerPorts[i], voters,
          settings.brokers, clusterId, settings.brokerProperties));
    }
    for (ClickHouseEngine engine : settings.clickHouseEngines) {
      s.clickHouse.put(engine, engine == ClickHouseEngine.V18_16
          ? replicas1816(settings, workDir, ports, zkPort)
          : single267(settings, workDir, ports));
    }
    return s;
  }

  private static ClickHouseDeployment replicas1816(LocalStack.Builder settings, Path workDir, Ports ports, int zkPort) {
    String binary = ClickHouseBinary.resolve(settings.clickHouseServerBinary);
    List<String> names = new ArrayList<>();
    List<Integer> http = new ArrayList<>();
    names.add("writer");
    http.add(ports.pick(settings.clickHouseWriterHttpPort, "clickHouseWriterHttpPort"));
    for (int i = 0; i < settings.clickHouseReaders; i++) {
      names.add(readerName(i));
      http.add(ports.pick(i == 0 ? settings.clickHouseReaderHttpPort : 0, i == 0 ? "clickHouseReaderHttpPort"
          : "ClickHouse " + readerName(i) + " http_port"));
    }
    List<Integer> tcp = new ArrayList<>();
    for (String name : names) tcp.add(ports.pick(0, "ClickHouse " + name + " tcp_port"));
    List<ClickHouseServer> servers = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      servers.add(ClickHouseServer.replica1816(workDir, binary, names.get(i), new ClickHouseConfig.Ports(
          http.get(i), tcp.get(i), ports.pick(0, "interserver port"), zkPort, List.copyOf(tcp))));
    }
    return new ClickHouseDeployment(ClickHouseEngine.V18_16, servers.get(0), servers.subList(1, servers.size()),
        settings.startTimeout);
  }

  /** Replica names of the readers: {@code reader}, {@code reader2}, {@code reader3}. */
  static String readerName(int index) {
    return index == 0 ? "reader" : "reader" + (index + 1);
  }

  private static ClickHouseDeployment single267(LocalStack.Builder settings, Path workDir, Ports ports) {
    Path library = ChDbLibrary.resolve(settings.chDbLibrary);
    ClickHouseServer server = ClickHouseServer.chDb(workDir, library, ports.pick(settings.chDbHttpPort, "chDbHttpPort"));
    return new ClickHouseDeployment(ClickHouseEngine.V26_7, server, List.of(server), settings.startTimeout);
  }

  /** Kills leftovers of a crashed run and, unless keepData, wipes the servers' directories. */
  static void prepareWorkDir(Path workDir, boolean keepData) {
    try {
      Files.createDirectories(workDir);
      ChildProcess.killLeftovers(workDir);
      if (keepData) {
        return;
      }
      Set<String> fixed = Set.of(ZooKeeperServer.DIR, ClickHouseServer.dirName("writer"),
          ClickHouseServer.dirName(readerName(0)), ClickHouseServer.dirName(readerName(1)),
          ClickHouseServer.dirName(readerName(2)), ClickHouseServer.CHDB_DIR);
      try (Stream<Path> children = Files.list(workDir)) {
        for (Path child : children.toList()) {
          String name = child.getFileName().toString();
          if (fixed.contains(name) || name.startsWith(KafkaBroker.DIR_PREFIX)) {
            deleteRecursively(child);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare work dir " + workDir, e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

}

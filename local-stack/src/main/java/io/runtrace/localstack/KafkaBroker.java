package io.runtrace.localstack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/** One KRaft node in a child JVM: broker, or broker and controller. Node id = index + 1. */
final class KafkaBroker {
  static final String DIR_PREFIX = "kafka-";
  private final int index;
  private final int port;
  private final int saslPort;
  private final Path dir;
  private final ChildProcess format;
  private final ChildProcess process;
  private boolean formatting;

  /**
   * @param controllerPort the CONTROLLER listener port, or 0 when this node is a broker only
   * @param voters {@code controller.quorum.voters}, e.g. {@code 1@127.0.0.1:9093}
   */
  KafkaBroker(Path workDir, int index, int port, int saslPort, int controllerPort, String voters,
      int brokerCount, String clusterId, Map<String, String> extra) {
    this.index = index;
    this.port = port;
    this.saslPort = saslPort;
    this.dir = workDir.resolve(DIR_PREFIX + index);
    Path config = dir.resolve("server.properties");
    writeConfig(config, properties(port, controllerPort, voters, brokerCount, extra));
    this.format = new ChildProcess("Kafka storage format of broker " + index,
        JavaCommand.forServer(workDir, dir, "256m", "kafka.tools.StorageTool", formatArgs(clusterId, config,
            controllerPort != 0)),
        dir, dir.resolve(JavaCommand.LOG_FILE), dir.resolve("logs/format.out"));
    this.process = new ChildProcess("Kafka broker " + index,
        JavaCommand.forServer(workDir, dir, "512m", "kafka.Kafka", config.toString()),
        dir, dir.resolve(JavaCommand.LOG_FILE), dir.resolve(JavaCommand.CONSOLE_FILE));
  }

  int nodeId() {
    return index + 1;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  String saslAddress() {
    return "127.0.0.1:" + saslPort;
  }

  /** The SCRAM user is a bootstrap record of the metadata log, which controllers are formatted with. */
  private static String[] formatArgs(String clusterId, Path config, boolean controller) {
    List<String> args = new java.util.ArrayList<>(List.of("format", "--ignore-formatted", "-t", clusterId,
        "-c", config.toString()));
    if (controller) {
      args.add("--add-scram");
      args.add(StackCredentials.KAFKA_SASL_MECHANISM + "=[name=" + StackCredentials.KAFKA_SASL_USER
          + ",password=" + StackCredentials.KAFKA_SASL_PASSWORD + "]");
    }
    return args.toArray(String[]::new);
  }

  /** Formats the storage unless kept data is already formatted (saves a JVM start). */
  void startFormat() {
    formatting = !Files.isRegularFile(dir.resolve("data/meta.properties"));
    if (formatting) {
      format.start();
    }
  }

  void awaitFormat(Deadline deadline) {
    if (formatting) {
      format.awaitSuccessfulExit(deadline.remaining());
      formatting = false;
    }
  }

  void start() {
    process.start();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String tails() {
    return process.tails();
  }

  void stop() {
    process.stop(Duration.ofSeconds(20));
  }

  void kill() {
    process.kill();
  }

  /** Waits until a {@code describeCluster} through {@code bootstrap} lists all {@code brokers}. */
  static void awaitRegistered(String bootstrap, Collection<KafkaBroker> brokers, Deadline deadline) {
    Set<Integer> expected = brokers.stream().map(KafkaBroker::nodeId).collect(Collectors.toSet());
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    try (Admin admin = Admin.create(config)) {
      deadline.await("Kafka brokers " + expected + " on " + bootstrap,
          () -> registered(admin).containsAll(expected),
          () -> brokers.stream().allMatch(KafkaBroker::isAlive));
    } catch (TimeoutException | RuntimeException e) {
      String tails = brokers.stream().map(b -> b.isAlive() ? "" : b.tails())
          .collect(Collectors.joining());
      if (tails.isEmpty()) {
        tails = brokers.stream().map(KafkaBroker::tails).collect(Collectors.joining());
      }
      brokers.forEach(KafkaBroker::stop);
      throw new IllegalStateException(e.getMessage() + tails, e);
    }
  }

  private static Set<Integer> registered(Admin admin) {
    try {
      return admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream()
          .map(Node::id).collect(Collectors.toSet());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Set.of();
    } catch (Exception e) {
      return Set.of();
    }
  }

  /** The cluster id a kept data dir was formatted with, so a restart with keepData reuses it. */
  static Optional<String> existingClusterId(Path workDir) {
    Path meta = workDir.resolve(DIR_PREFIX + 0).resolve("data/meta.properties");
    if (!Files.isRegularFile(meta)) {
      return Optional.empty();
    }
    try (Reader in = Files.newBufferedReader(meta)) {
      Properties props = new Properties();
      props.load(in);
      return Optional.ofNullable(props.getProperty("cluster.id"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Map<String, String> properties(int port, int controllerPort, String voters,
      int brokerCount, Map<String, String> extra) {
    String replication = Integer.toString(Math.min(3, brokerCount));
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", controllerPort == 0 ? "broker" : "broker,controller");
    p.put("node.id", Integer.toString(nodeId()));
    p.put("controller.quorum.voters", voters);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
        + (controllerPort == 0 ? "" : ",CONTROLLER://127.0.0.1:" + controllerPort));
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("sasl.enabled.mechanisms", StackCredentials.KAFKA_SASL_MECHANISM);
    p.put("listener.name.sasl_plaintext." + StackCredentials.KAFKA_SASL_MECHANISM.toLowerCase(java.util.Locale.ROOT)
        + ".sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("offsets.topic.replication.factor", replication);
    p.put("transaction.state.log.replication.factor", replication);
    p.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, brokerCount)));
    p.put("share.coordinator.state.topic.replication.factor", replication);
    p.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, brokerCount)));
    // Fewer internal partitions: the first consumer group is ready sooner on 2 cores.
    p.put("offsets.topic.num.partitions", "10");
    p.put("transaction.state.log.num.partitions", "10");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "3");
    p.put("auto.create.topics.enable", "false");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(32 * 1024 * 1024));
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    p.put("log.retention.bytes", Long.toString(1024L * 1024 * 1024));
    p.put("log.retention.check.interval.ms", "60000");
    p.putAll(extra);
    return p;
  }

  private static void writeConfig(Path config, Map<String, String> props) {
    List<String> lines = props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    try {
      Files.createDirectories(config.getParent());
      Files.write(config, lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }
}

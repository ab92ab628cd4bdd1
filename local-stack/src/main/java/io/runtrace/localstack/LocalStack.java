package io.runtrace.localstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A real local stack on 127.0.0.1: N KRaft Kafka brokers (child JVMs) and ClickHouse of one or
 * both engines ({@link ClickHouseEngine}): two 18.16 servers (replicas {@code writer} and
 * {@code reader} of shard {@code 01}) with the ZooKeeper they replicate through, and/or one 26.7
 * server (chDB). Child processes stop on {@link #close()} or JVM shutdown; a later start kills
 * leftovers of a JVM that died harder than that.
 */
public final class LocalStack implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private final Builder settings;
  private final Path workDir;
  private ZooKeeperServer zookeeper;
  private final List<KafkaBroker> brokers = new ArrayList<>();
  private final Map<ClickHouseEngine, ClickHouseDeployment> clickHouse = new EnumMap<>(ClickHouseEngine.class);
  private Thread shutdownHook;
  private boolean started;

  private LocalStack(Builder builder) {
    this.settings = builder.copy();
    this.workDir = builder.workDir.toAbsolutePath().normalize();
  }

  /** A builder with the defaults documented on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts ZooKeeper (when an engine replicates), the brokers and the ClickHouse servers and waits
   * until each answers, all within {@link Builder#startTimeout}. Does nothing when already
   * started. On failure everything started so far is stopped and the exception carries the tail
   * of the failing server's log.
   */
  public synchronized LocalStack start() {
    if (started) {
      return this;
    }
    Deadline deadline = Deadline.after(settings.startTimeout);
    try {
      StackServers.prepareWorkDir(workDir, settings.keepData);
      StackServers servers = StackServers.create(settings, workDir);
      zookeeper = servers.zookeeper;
      brokers.clear();
      brokers.addAll(servers.brokers);
      clickHouse.clear();
      clickHouse.putAll(servers.clickHouse);
      shutdownHook = new Thread(this::close, "runtrace-local-stack-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      if (zookeeper != null) zookeeper.start();
      brokers.forEach(KafkaBroker::startFormat);
      if (zookeeper != null) zookeeper.awaitReady(deadline);
      // ClickHouse 18.16 refuses to start while ZooKeeper is unreachable, hence this order.
      clickHouse.values().forEach(ClickHouseDeployment::start);
      for (KafkaBroker broker : brokers) {
        broker.awaitFormat(deadline);
        broker.start();
      }
      for (ClickHouseDeployment deployment : clickHouse.values()) deployment.awaitReady(deadline);
      KafkaBroker.awaitRegistered(kafkaBootstrapServers(), brokers, deadline);
      started = true;
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Comma-separated PLAINTEXT addresses of all brokers, e.g. {@code 127.0.0.1:p1,127.0.0.1:p2}. */
  public String kafkaBootstrapServers() {
    requireServers();
    return brokers.stream().map(KafkaBroker::address).collect(Collectors.joining(","));
  }

  /**
   * Comma-separated SASL_PLAINTEXT addresses of all brokers: SCRAM ({@link StackCredentials#KAFKA_SASL_MECHANISM})
   * as {@link StackCredentials#KAFKA_SASL_USER}.
   */
  public String kafkaSaslBootstrapServers() {
    requireServers();
    return brokers.stream().map(KafkaBroker::saslAddress).collect(Collectors.joining(","));
  }

  /** ZooKeeper address, e.g. {@code 127.0.0.1:p}; fails when no engine replicates (no ZooKeeper runs). */
  public String zookeeperConnect() {
    requireServers();
    if (zookeeper == null) {
      throw new IllegalStateException("this stack runs no ZooKeeper: only ClickHouse 18.16 replicas need one");
    }
    return zookeeper.connectString();
  }

  /** The engines this stack runs, in {@link Builder#clickHouseEngines} order of the enum. */
  public Set<ClickHouseEngine> clickHouseEngines() {
    return settings.clickHouseEngines;
  }

  /** The ClickHouse servers of {@code engine}; fails naming the engines that do run. */
  public ClickHouseDeployment clickHouse(ClickHouseEngine engine) {
    requireServers();
    ClickHouseDeployment deployment = clickHouse.get(engine);
    if (deployment == null) {
      throw new IllegalStateException(engine + " is not part of this stack, which runs "
          + settings.clickHouseEngines.stream().map(ClickHouseEngine::label).collect(Collectors.joining(", ")));
    }
    return deployment;
  }

  /** The ClickHouse servers of the first engine this stack runs (18.16 when it runs both). */
  public ClickHouseDeployment clickHouse() {
    return clickHouse(settings.clickHouseEngines.iterator().next());
  }

  public int brokerCount() {
    return settings.brokers;
  }

  /** Stops broker {@code index} (0-based) gracefully: SIGTERM, SIGKILL after 20 s. */
  public synchronized void stopBroker(int index) {
    broker(index).stop();
  }

  /** Kills broker {@code index} (0-based) with SIGKILL. */
  public synchronized void killBroker(int index) {
    broker(index).kill();
  }

  /** Restarts a stopped broker on its old ports and data and waits until it answers. */
  public synchronized void startBroker(int index) {
    KafkaBroker broker = broker(index);
    broker.start();
    KafkaBroker.awaitRegistered(broker.address(), List.of(broker), Deadline.after(settings.startTimeout));
  }

  /**
   * Restarts several stopped brokers together and waits until all answer: after every broker of a
   * 3-node cluster was down, none can finish starting alone (the controllers need a quorum).
   */
  public synchronized void startBrokers(int... indexes) {
    List<KafkaBroker> restarted = new java.util.ArrayList<>();
    for (int index : indexes) {
      KafkaBroker broker = broker(index);
      broker.start();
      restarted.add(broker);
    }
    String bootstrap = restarted.stream().map(KafkaBroker::address).collect(Collectors.joining(","));
    KafkaBroker.awaitRegistered(bootstrap, restarted, Deadline.after(settings.startTimeout));
  }

  /** Absolute directory holding configs, data, logs and pid files of all servers. */
  public Path workDir() {
    return workDir;
  }

  /** Stops ClickHouse servers, brokers, then ZooKeeper. Never throws; may be called repeatedly. */
  @Override
  public synchronized void close() {
    clickHouse.values().forEach(d -> stopQuietly(d::stop));
    // In parallel: each graceful stop may wait up to 20 s, and controllers go down together anyway.
    List<Thread> stopping = brokers.stream()
        .map(b -> new Thread(() -> stopQuietly(b::stop), "stop-" + b.address())).toList();
    stopping.forEach(Thread::start);
    stopping.forEach(LocalStack::joinQuietly);
    stopQuietly(zookeeper == null ? null : zookeeper::stop);
    started = false;
    Thread hook = shutdownHook;
    shutdownHook = null;
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting; the hook is running or will find everything stopped.
      }
    }
  }

  private KafkaBroker broker(int index) {
    requireServers();
    if (index < 0 || index >= brokers.size()) {
      throw new IllegalArgumentException(
          "broker index must be 0.." + (brokers.size() - 1) + ", was " + index);
    }
    return brokers.get(index);
  }

  private void requireServers() {
    if (brokers.isEmpty()) {
      throw new IllegalStateException("LocalStack is not started; call start() first");
    }
  }

  private static void stopQuietly(Runnable stop) {
    try {
      if (stop != null) {
        stop.run();
      }
    } catch (RuntimeException ignored) {
      // close() never throws; ChildProcess.stop already falls back to SIGKILL.
    }
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(STOP_GRACE.plusSeconds(15).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Settings of a {@link LocalStack}; every setting has a default, so {@code build()} alone works. */
  public static final class Builder {
    private static final Set<String> MANAGED_BROKER_PROPERTIES = Set.of("process.roles", "node.id",
        "controller.quorum.voters", "listeners", "advertised.listeners", "log.dirs",
        "controller.listener.names", "listener.security.protocol.map", "inter.broker.listener.name");
    Path workDir = Path.of(System.getProperty("user.dir"), "target", "runtrace-stack");
    int brokers = 1;
    int kafkaPort;
    int zookeeperPort;
    int clickHouseWriterHttpPort;
    int clickHouseReaderHttpPort;
    int clickHouseReaders = 1;
    String clickHouseServerBinary = ClickHouseBinary.DEFAULT;
    Set<ClickHouseEngine> clickHouseEngines = EnumSet.of(ClickHouseEngine.V18_16);
    Path chDbLibrary = ChDbLibrary.defaultPath();
    int chDbHttpPort;
    Map<String, String> brokerProperties = new LinkedHashMap<>();
    Duration startTimeout = Duration.ofSeconds(90);
    boolean keepData;

    private Builder() {}

    /** Directory for configs, data, logs and pid files. Default {@code ${user.dir}/target/runtrace-stack}. */
    public Builder workDir(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
      return this;
    }

    /** Number of Kafka brokers, 1..5. Default 1. From 3 brokers on, nodes 0..2 are also controllers; else node 0. */
    public Builder brokers(int brokers) {
      this.brokers = brokers;
      return this;
    }

    /** PLAINTEXT port of broker 0; broker i uses kafkaPort + i. Default 0: free ports. */
    public Builder kafkaPort(int kafkaPort) {
      this.kafkaPort = kafkaPort;
      return this;
    }

    /** ZooKeeper client port. Default 0: a free port. */
    public Builder zookeeperPort(int zookeeperPort) {
      this.zookeeperPort = zookeeperPort;
      return this;
    }

    /** HTTP port of the ClickHouse writer. Default 0: a free port (tcp and interserver are always free ports). */
    public Builder clickHouseWriterHttpPort(int port) {
      this.clickHouseWriterHttpPort = port;
      return this;
    }

    /** HTTP port of the ClickHouse reader. Default 0: a free port. */
    public Builder clickHouseReaderHttpPort(int port) {
      this.clickHouseReaderHttpPort = port;
      return this;
    }

    /** Reader replicas of the 18.16 engine, 1..3 (the first on {@link #clickHouseReaderHttpPort}). Default 1. */
    public Builder clickHouseReaders(int readers) {
      if (readers < 1 || readers > 3) throw new IllegalArgumentException("clickHouseReaders must be 1..3, was " + readers);
      this.clickHouseReaders = readers;
      return this;
    }

    /** Name on PATH (also looked up in /usr/sbin, /usr/bin) or path. Default {@code clickhouse-server}. */
    public Builder clickHouseServerBinary(String binary) {
      this.clickHouseServerBinary = binary;
      return this;
    }

    /** The ClickHouse engines to run, at least one. Default 18.16 (a writer and a reader replica, and ZooKeeper). */
    public Builder clickHouseEngines(Collection<ClickHouseEngine> engines) {
      if (engines == null || engines.isEmpty()) {
        throw new IllegalArgumentException("clickHouseEngines must name at least one of 18.16, 26.7");
      }
      this.clickHouseEngines = EnumSet.copyOf(engines);
      return this;
    }

    /** As {@link #clickHouseEngines(Collection)}. */
    public Builder clickHouseEngines(ClickHouseEngine... engines) {
      return clickHouseEngines(List.of(engines));
    }

    /**
     * chDB's {@code libchdb.so}, for ClickHouse 26.7. Default {@code $RUNTRACE_CHDB_LIBRARY}, else
     * {@code ~/.cache/runtrace/chdb-3.4.0/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so}
     * (where {@code bin/prerequisites} installs it; {@code $RUNTRACE_CACHE_DIR} replaces
     * {@code ~/.cache/runtrace}).
     */
    public Builder chDbLibrary(Path library) {
      this.chDbLibrary = Objects.requireNonNull(library, "chDbLibrary");
      return this;
    }

    /** HTTP port of the ClickHouse 26.7 server. Default 0: a free port. */
    public Builder chDbHttpPort(int port) {
      this.chDbHttpPort = port;
      return this;
    }

    /** An extra {@code server.properties} entry for every broker, e.g. {@code log.retention.bytes}. */
    public Builder brokerProperty(String key, String value) {
      if (key == null || key.isBlank() || value == null) {
        throw new IllegalArgumentException("brokerProperty needs a key and a value, was " + key + "=" + value);
      }
      if (MANAGED_BROKER_PROPERTIES.contains(key.trim())) {
        throw new IllegalArgumentException("brokerProperty " + key + " is set by LocalStack itself");
      }
      brokerProperties.put(key.trim(), value);
      return this;
    }

    /** Timeout for the whole {@link LocalStack#start()}, also per restart of one server. Default 90 s. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** Keep data of an earlier run instead of wiping the servers' directories at start. Default false. */
    public Builder keepData(boolean keepData) {
      this.keepData = keepData;
      return this;
    }

    /** Validates the settings; throws {@link IllegalArgumentException} naming the first bad one. */
    public LocalStack build() {
      if (brokers < 1 || brokers > 5) {
        throw new IllegalArgumentException("brokers must be 1..5, was " + brokers);
      }
      checkPort("kafkaPort", kafkaPort == 0 ? 0 : kafkaPort + brokers - 1, kafkaPort);
      checkPort("zookeeperPort", zookeeperPort, zookeeperPort);
      checkPort("clickHouseWriterHttpPort", clickHouseWriterHttpPort, clickHouseWriterHttpPort);
      checkPort("clickHouseReaderHttpPort", clickHouseReaderHttpPort, clickHouseReaderHttpPort);
      checkPort("chDbHttpPort", chDbHttpPort, chDbHttpPort);
      checkDistinct();
      if (clickHouseServerBinary == null || clickHouseServerBinary.isBlank()) {
        throw new IllegalArgumentException("clickHouseServerBinary must not be blank");
      }
      if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
      }
      return new LocalStack(this);
    }

    private static void checkPort(String setting, int highest, int value) {
      if (value < 0 || highest > 65535) {
        throw new IllegalArgumentException(setting + " must be 0 (free port) or 1..65535"
            + (highest != value ? " leaving room for all brokers" : "") + ", was " + value);
      }
    }

    private void checkDistinct() {
      Map<Integer, String> used = new LinkedHashMap<>();
      for (int i = 0; kafkaPort != 0 && i < brokers; i++) {
        used.put(kafkaPort + i, "kafkaPort" + (i == 0 ? "" : " + " + i));
      }
      String[][] others = {{"zookeeperPort", Integer.toString(zookeeperPort)},
          {"clickHouseWriterHttpPort", Integer.toString(clickHouseWriterHttpPort)},
          {"clickHouseReaderHttpPort", Integer.toString(clickHouseReaderHttpPort)},
          {"chDbHttpPort", Integer.toString(chDbHttpPort)}};
      for (String[] other : others) {
        int port = Integer.parseInt(other[1]);
        if (port == 0) {
          continue;
        }
        String previous = used.putIfAbsent(port, other[0]);
        if (previous != null) {
          throw new IllegalArgumentException(
              other[0] + " " + port + " is already used by " + previous);
        }
      }
    }

    private Builder copy() {
      Builder b = new Builder();
      b.workDir = workDir;
      b.brokers = brokers;
      b.kafkaPort = kafkaPort;
      b.zookeeperPort = zookeeperPort;
      b.clickHouseWriterHttpPort = clickHouseWriterHttpPort;
      b.clickHouseReaderHttpPort = clickHouseReaderHttpPort;
      b.clickHouseReaders = clickHouseReaders;
      b.clickHouseServerBinary = clickHouseServerBinary;
      b.clickHouseEngines = EnumSet.copyOf(clickHouseEngines);
      b.chDbLibrary = chDbLibrary;
      b.chDbHttpPort = chDbHttpPort;
      b.brokerProperties = new LinkedHashMap<>(brokerProperties);
      b.startTimeout = startTimeout;
      b.keepData = keepData;
      return b;
    }
  }
}

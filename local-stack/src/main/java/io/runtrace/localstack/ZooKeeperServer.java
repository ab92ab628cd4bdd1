package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A standalone ZooKeeper in a child JVM, for replicated ClickHouse tables. */
final class ZooKeeperServer {
  static final String DIR = "zookeeper";
  private final int port;
  private final ChildProcess process;

  ZooKeeperServer(Path workDir, int port) {
    this.port = port;
    Path dir = workDir.resolve(DIR);
    Path config = dir.resolve("zoo.cfg");
    writeConfig(config, dir.resolve("data"), port);
    this.process = new ChildProcess("ZooKeeper",
        JavaCommand.forServer(workDir, dir, "256m",
            "org.apache.zookeeper.server.ZooKeeperServerMain", config.toString()),
        dir, dir.resolve(JavaCommand.LOG_FILE), dir.resolve(JavaCommand.CONSOLE_FILE));
  }

  String connectString() {
    return "127.0.0.1:" + port;
  }

  void start() {
    process.start();
  }

  void awaitReady(Deadline deadline) {
    process.awaitReady(deadline, "ZooKeeper on " + connectString(), this::serving);
  }

  void stop() {
    process.stop(Duration.ofSeconds(20));
  }

  /**
   * {@code srvr} rather than {@code ruok}: ruok answers "imok" before the server accepts sessions,
   * and ClickHouse started right then logged "All connection tries failed".
   */
  private boolean serving() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
          .contains("Mode: ");
    } catch (IOException e) {
      return false;
    }
  }

  private static void writeConfig(Path config, Path dataDir, int port) {
    String text = String.join("\n",
        "tickTime=2000",
        "initLimit=10",
        "syncLimit=5",
        "dataDir=" + dataDir,
        "clientPort=" + port,
        "clientPortAddress=127.0.0.1",
        "maxClientCnxns=0",
        "admin.enableServer=false",
        "4lw.commands.whitelist=ruok,srvr,stat,mntr",
        // Keeps snapshots and transaction logs bounded on long demo runs.
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=1",
        "");
    try {
      Files.createDirectories(dataDir);
      Files.writeString(config, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }
}

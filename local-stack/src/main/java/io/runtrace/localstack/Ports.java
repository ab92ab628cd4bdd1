package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback port selection: free ports for 0, a clear error for a fixed port already taken. */
final class Ports {
  private static final int MIN_PORT = 20000;
  private final Set<Integer> handedOut = new HashSet<>();

  /** Returns {@code requested} after checking it is free, or a free port when it is 0. */
  int pick(int requested, String setting) {
    if (requested != 0) {
      if (!isFree(requested)) {
        throw new IllegalStateException(
            "port " + requested + " (" + setting + ") is already in use on 127.0.0.1;"
                + " stop whatever listens there or choose another port / 0 for a free one");
      }
      handedOut.add(requested);
      return requested;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = attempt < 50 ? belowEphemeralRange() : freePort();
      // Tracked so that two settings of one stack never get the same port before anything binds.
      if (port > 0 && !handedOut.contains(port) && isFree(port)) {
        handedOut.add(port);
        return port;
      }
    }
    throw new IllegalStateException("could not find a free port for " + setting);
  }

  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // As the servers bind: connections in TIME_WAIT from a stack just stopped do not make a port busy.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A random port below the kernel's ephemeral range: a port the OS hands out for bind(0) may be
   * taken by an outgoing connection before the server binds it (seen with 3 brokers on 2 cores).
   */
  private static int belowEphemeralRange() {
    int low = 32768;
    try {
      low = Integer.parseInt(
          Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
          .trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      // Not Linux or not readable: the usual default. (Files.readString returned only "3" here.)
    }
    return low <= MIN_PORT + 1000 ? 0 : ThreadLocalRandom.current().nextInt(MIN_PORT, low);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a server socket on 127.0.0.1", e);
    }
  }
}

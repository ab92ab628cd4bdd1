package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Loopback port selection: free ports for 0, a clear error for a fixed port already taken. */
final class Ports {
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
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = freePort();
      // The OS may hand out the same ephemeral port twice before anything binds it.
      if (handedOut.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("could not find a free port for " + setting);
  }

  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a server socket on 127.0.0.1", e);
    }
  }
}

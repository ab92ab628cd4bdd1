package io.runtrace.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The processor's health and metrics over HTTP: {@code GET /health} answers 200
 * {@code {"status":"ok"}} or 503 {@code {"status":"unavailable","reason":"…"}}, and
 * {@code GET /metrics} the registry in Prometheus text format.
 */
final class ProcessorHttpEndpoint implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProcessorHttpEndpoint.class.getName());
  static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Supplier<Optional<String>> problem;
  private final Supplier<String> prometheusText;

  /** Binds {@code port} on every interface (0 picks a free one); fails naming the port when it is taken. */
  ProcessorHttpEndpoint(int port, Supplier<Optional<String>> problem, Supplier<String> prometheusText) {
    this.problem = problem;
    this.prometheusText = prometheusText;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("httpPort " + port + " cannot be bound: " + e.getMessage(), e);
    }
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "runtrace-stream-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  void start() {
    server.start();
    LOG.log(Level.INFO, "health and metrics on port {0,number,#}: GET /health, GET /metrics", port());
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/health") && !path.equals("/metrics")) {
        send(exchange, 404, "application/json", json(Map.of("error", "not found: GET /health or GET /metrics")));
      } else if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, "application/json", json(Map.of("error", "method not allowed: use GET")));
      } else if (path.equals("/metrics")) {
        send(exchange, 200, PROMETHEUS_TYPE, prometheusText.get().getBytes(StandardCharsets.UTF_8));
      } else {
        Optional<String> reason = problem.get();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", reason.isEmpty() ? "ok" : "unavailable");
        reason.ifPresent(r -> body.put("reason", r));
        send(exchange, reason.isEmpty() ? 200 : 503, "application/json", json(body));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "health or metrics request failed", e);
      throw e;
    }
  }

  private static byte[] json(Map<String, String> body) {
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

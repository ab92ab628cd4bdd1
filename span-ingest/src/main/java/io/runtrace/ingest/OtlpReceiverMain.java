package io.runtrace.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runtrace.model.KafkaCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link OtlpHttpReceiver} and an {@link OtlpGrpcReceiver} (sharing one producer)
 * configured from environment variables; the one place where they map onto the builders. See the
 * module README for the table. {@code RUNTRACE_OTLP_GRPC_PORT=-1} turns gRPC off.
 */
public final class OtlpReceiverMain {
  /** {@code RUNTRACE_OTLP_BEARER_TOKEN}: the token both receivers require; unset means none. */
  static final String BEARER_TOKEN_VAR = "RUNTRACE_OTLP_BEARER_TOKEN";
  /** {@code RUNTRACE_OTLP_BEARER_TOKEN_FILE}: a file holding that token (surrounding whitespace ignored). */
  static final String BEARER_TOKEN_FILE_VAR = "RUNTRACE_OTLP_BEARER_TOKEN_FILE";

  private OtlpReceiverMain() {}

  public static void main(String[] args) throws InterruptedException {
    // One registry for both receivers, so /metrics shows refusals on the gRPC port too.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OtlpHttpReceiver.Builder http = fromEnv(System.getenv()).meterRegistry(registry);
    OtlpGrpcReceiver grpc = grpcFromEnv(System.getenv(), registry);
    OtlpHttpReceiver receiver = http.build().start();
    System.out.println("runtrace OTLP/HTTP receiver listening on port " + receiver.port());
    if (grpc != null) {
      grpc.start();
      System.out.println("runtrace OTLP/gRPC receiver listening on port " + grpc.port());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (grpc != null) grpc.close();
      receiver.close();
      stopped.countDown();
    }, "runtrace-otlp-shutdown"));
    stopped.await();
  }

  static OtlpHttpReceiver.Builder fromEnv(Map<String, String> env) {
    OtlpHttpReceiver.Builder b = kafka(OtlpHttpReceiver.builder(), env);
    if (env.containsKey("RUNTRACE_OTLP_HTTP_HOST")) b.host(env.get("RUNTRACE_OTLP_HTTP_HOST"));
    if (env.containsKey("RUNTRACE_OTLP_HTTP_PORT")) b.port(intValue(env, "RUNTRACE_OTLP_HTTP_PORT"));
    if (env.containsKey("RUNTRACE_OTLP_MAX_REQUEST_BYTES")) b.maxRequestBytes(intValue(env, "RUNTRACE_OTLP_MAX_REQUEST_BYTES"));
    if (env.containsKey("RUNTRACE_OTLP_THREADS")) b.threads(intValue(env, "RUNTRACE_OTLP_THREADS"));
    String token = bearerToken(env);
    if (token != null) b.bearerToken(token);
    return b;
  }

  /**
   * The bearer token from {@code RUNTRACE_OTLP_BEARER_TOKEN} or the file named by
   * {@code RUNTRACE_OTLP_BEARER_TOKEN_FILE}, or null when neither is set; fails naming the variable.
   */
  static String bearerToken(Map<String, String> env) {
    String token = env.get(BEARER_TOKEN_VAR);
    String file = env.get(BEARER_TOKEN_FILE_VAR);
    if (token != null && file != null) throw new IllegalArgumentException("set " + BEARER_TOKEN_VAR + " or " + BEARER_TOKEN_FILE_VAR + ", not both");
    if (token != null) {
      BearerToken.of(token, BEARER_TOKEN_VAR);
      return token;
    }
    if (file == null) return null;
    if (file.isBlank()) throw new IllegalArgumentException(BEARER_TOKEN_FILE_VAR + " must name a file, was blank");
    try {
      String read = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      BearerToken.of(read, BEARER_TOKEN_FILE_VAR + " (" + file + ")");
      return read;
    } catch (IOException e) {
      throw new IllegalArgumentException(BEARER_TOKEN_FILE_VAR + " names a file that cannot be read: " + file + ": " + e, e);
    }
  }

  /** The Kafka settings both receivers share, so they share one producer. */
  private static <B extends KafkaSettings.Builder<B>> B kafka(B b, Map<String, String> env) {
    String bootstrap = env.get("RUNTRACE_KAFKA_BOOTSTRAP");
    if (bootstrap == null || bootstrap.isBlank()) throw new IllegalArgumentException("RUNTRACE_KAFKA_BOOTSTRAP is required, for example 127.0.0.1:9092");
    b.bootstrapServers(bootstrap);
    b.kafkaCredentials(KafkaCredentials.fromEnvironment(env));
    if (env.containsKey("RUNTRACE_SPANS_TOPIC")) b.topic(env.get("RUNTRACE_SPANS_TOPIC"));
    if (env.containsKey("RUNTRACE_MAX_RECORD_BYTES")) b.maxRecordBytes(intValue(env, "RUNTRACE_MAX_RECORD_BYTES"));
    if (env.containsKey("RUNTRACE_BUFFER_BYTES")) b.bufferBytes(longValue(env, "RUNTRACE_BUFFER_BYTES"));
    if (env.containsKey("RUNTRACE_LINGER_MS")) b.lingerMs(longValue(env, "RUNTRACE_LINGER_MS"));
    if (env.containsKey("RUNTRACE_FLUSH_TIMEOUT_MS")) b.flushTimeout(Duration.ofMillis(longValue(env, "RUNTRACE_FLUSH_TIMEOUT_MS")));
    if (env.containsKey("RUNTRACE_KAFKA_RECONNECT_BACKOFF_MS")) b.reconnectBackoff(Duration.ofMillis(longValue(env, "RUNTRACE_KAFKA_RECONNECT_BACKOFF_MS")));
    if (env.containsKey("RUNTRACE_KAFKA_RECONNECT_BACKOFF_MAX_MS")) b.reconnectBackoffMax(Duration.ofMillis(longValue(env, "RUNTRACE_KAFKA_RECONNECT_BACKOFF_MAX_MS")));
    return b;
  }

  /** The gRPC receiver with the same Kafka settings, or null when {@code RUNTRACE_OTLP_GRPC_PORT} is -1. */
  static OtlpGrpcReceiver grpcFromEnv(Map<String, String> env, MeterRegistry registry) {
    int port = env.containsKey("RUNTRACE_OTLP_GRPC_PORT") ? intValue(env, "RUNTRACE_OTLP_GRPC_PORT") : OtlpGrpcReceiver.DEFAULT_PORT;
    if (port == -1) return null;
    OtlpGrpcReceiver.Builder b = kafka(OtlpGrpcReceiver.builder(), env).port(port).meterRegistry(registry);
    String token = bearerToken(env);
    if (token != null) b.bearerToken(token);
    if (env.containsKey("RUNTRACE_OTLP_HTTP_HOST")) b.host(env.get("RUNTRACE_OTLP_HTTP_HOST"));
    if (env.containsKey("RUNTRACE_OTLP_MAX_REQUEST_BYTES")) b.maxRequestBytes(intValue(env, "RUNTRACE_OTLP_MAX_REQUEST_BYTES"));
    if (env.containsKey("RUNTRACE_OTLP_THREADS")) b.threads(intValue(env, "RUNTRACE_OTLP_THREADS"));
    return b.build();
  }

  private static int intValue(Map<String, String> env, String name) {
    long value = longValue(env, name);
    if (value != (int) value) throw new IllegalArgumentException(name + " is out of range, was " + value);
    return (int) value;
  }

  private static long longValue(Map<String, String> env, String name) {
    try {
      return Long.parseLong(env.get(name).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + env.get(name) + "'", e);
    }
  }
}

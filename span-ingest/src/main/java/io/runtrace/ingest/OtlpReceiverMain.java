package io.runtrace.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link OtlpHttpReceiver} configured from environment variables; the one place where
 * they map onto the builder. See the module README for the table.
 */
public final class OtlpReceiverMain {
  private OtlpReceiverMain() {}

  public static void main(String[] args) throws InterruptedException {
    OtlpHttpReceiver receiver = fromEnv(System.getenv()).build().start();
    System.out.println("runtrace OTLP/HTTP receiver listening on port " + receiver.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      receiver.close();
      stopped.countDown();
    }, "runtrace-otlp-shutdown"));
    stopped.await();
  }

  static OtlpHttpReceiver.Builder fromEnv(Map<String, String> env) {
    String bootstrap = env.get("RUNTRACE_KAFKA_BOOTSTRAP");
    if (bootstrap == null || bootstrap.isBlank()) throw new IllegalArgumentException("RUNTRACE_KAFKA_BOOTSTRAP is required, for example 127.0.0.1:9092");
    OtlpHttpReceiver.Builder b = OtlpHttpReceiver.builder().bootstrapServers(bootstrap);
    if (env.containsKey("RUNTRACE_SPANS_TOPIC")) b.topic(env.get("RUNTRACE_SPANS_TOPIC"));
    if (env.containsKey("RUNTRACE_OTLP_HTTP_HOST")) b.host(env.get("RUNTRACE_OTLP_HTTP_HOST"));
    if (env.containsKey("RUNTRACE_OTLP_HTTP_PORT")) b.port(intValue(env, "RUNTRACE_OTLP_HTTP_PORT"));
    if (env.containsKey("RUNTRACE_OTLP_MAX_REQUEST_BYTES")) b.maxRequestBytes(intValue(env, "RUNTRACE_OTLP_MAX_REQUEST_BYTES"));
    if (env.containsKey("RUNTRACE_OTLP_THREADS")) b.threads(intValue(env, "RUNTRACE_OTLP_THREADS"));
    if (env.containsKey("RUNTRACE_MAX_RECORD_BYTES")) b.maxRecordBytes(intValue(env, "RUNTRACE_MAX_RECORD_BYTES"));
    if (env.containsKey("RUNTRACE_BUFFER_BYTES")) b.bufferBytes(longValue(env, "RUNTRACE_BUFFER_BYTES"));
    if (env.containsKey("RUNTRACE_LINGER_MS")) b.lingerMs(longValue(env, "RUNTRACE_LINGER_MS"));
    if (env.containsKey("RUNTRACE_FLUSH_TIMEOUT_MS")) b.flushTimeout(Duration.ofMillis(longValue(env, "RUNTRACE_FLUSH_TIMEOUT_MS")));
    return b;
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

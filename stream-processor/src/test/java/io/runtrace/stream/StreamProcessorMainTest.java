package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment variables map onto the builder; every bad value fails naming its variable. */
class StreamProcessorMainTest {
  @Test
  void writerLoginComesFromTheWriterVariables() {
    StreamProcessorMain.WriterLogin login = StreamProcessorMain.writerLogin(Map.of(
        "RUNTRACE_CLICKHOUSE_WRITER_USER", "writer", "RUNTRACE_CLICKHOUSE_WRITER_PASSWORD", "writer-secret"));
    assertThat(login.user()).isEqualTo("writer");
    assertThat(login.password()).isEqualTo("writer-secret");
    assertThat(StreamProcessorMain.writerLogin(Map.of())).isEqualTo(new StreamProcessorMain.WriterLogin("default", ""));
  }

  @Test
  void theOldSharedNamesFailNamingTheNewOnes() {
    assertThatThrownBy(() -> StreamProcessorMain.writerLogin(Map.of("RUNTRACE_CLICKHOUSE_USER", "writer")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_USER is no longer read")
        .hasMessageContaining("set RUNTRACE_CLICKHOUSE_WRITER_USER");
    assertThatThrownBy(() -> StreamProcessorMain.writerLogin(Map.of("RUNTRACE_CLICKHOUSE_WRITER_USER", "writer",
        "RUNTRACE_CLICKHOUSE_PASSWORD", "x")))
        .hasMessageContaining("set RUNTRACE_CLICKHOUSE_WRITER_PASSWORD")
        .hasMessageNotContaining("x\"");
    // Set beside the new names (a shared environment with the migrator), the old ones are ignored.
    assertThat(StreamProcessorMain.writerLogin(Map.of("RUNTRACE_CLICKHOUSE_USER", "default",
        "RUNTRACE_CLICKHOUSE_PASSWORD", "", "RUNTRACE_CLICKHOUSE_WRITER_USER", "writer",
        "RUNTRACE_CLICKHOUSE_WRITER_PASSWORD", "s")).user()).isEqualTo("writer");
  }

  @Test
  void aBlankWriterUserFails() {
    assertThatThrownBy(() -> StreamProcessorMain.writerLogin(Map.of("RUNTRACE_CLICKHOUSE_WRITER_USER", " ")))
        .hasMessageStartingWith("RUNTRACE_CLICKHOUSE_WRITER_USER must be");
  }

  @Test
  void malformedValuesFailNamingTheVariable() {
    assertFails("RUNTRACE_CLICKHOUSE_WRITER_URL", "not a uri with spaces");
    assertFails("RUNTRACE_CLICKHOUSE_WRITER_URL", "ftp://127.0.0.1:8123");
    assertFails("RUNTRACE_CLICKHOUSE_WRITER_URL", "127.0.0.1:8123");
    assertFails("RUNTRACE_CLICKHOUSE_DATABASE", "runtrace; DROP");
    assertFails("RUNTRACE_KAFKA_BOOTSTRAP", "127.0.0.1");
    assertFails("RUNTRACE_KAFKA_BOOTSTRAP", "127.0.0.1:99999");
    assertFails("RUNTRACE_KAFKA_BOOTSTRAP", "127.0.0.1:9092,,");
    assertFails("RUNTRACE_STREAM_HTTP_PORT", "80a");
    assertFails("RUNTRACE_STREAM_HTTP_PORT", "70000");
    assertFails("RUNTRACE_STREAM_HTTP_PORT", "-1");
    assertFails("RUNTRACE_SINK_MAX_BATCH_ROWS", "0");
    assertFails("RUNTRACE_SINK_MAX_BATCH_DELAY_MS", "soon");
    assertFails("RUNTRACE_APPLICATION_ID", "a b");
    assertFails("RUNTRACE_STATE_DIR", "bad\0path");
    assertFails("RUNTRACE_TOPIC_RUNS", "runs topic");
    assertFails("RUNTRACE_RETENTION_SPANS_MAX_AGE_DAYS", "99999999999999999");
    assertFails("RUNTRACE_STATS_REFRESH_MS", "1");
    assertFails("RUNTRACE_KAFKA_SECURITY_PROTOCOL", "SSL");
    assertThatThrownBy(() -> StreamProcessorMain.fromEnvironment(Map.of("RUNTRACE_KAFKA_SASL_USERNAME", "runtrace")))
        .hasMessageStartingWith("RUNTRACE_KAFKA_SECURITY_PROTOCOL must be SASL_PLAINTEXT or SASL_SSL");
  }

  @Test
  void kafkaCredentialsAndHttpPortAreRead() {
    Map<String, String> env = new HashMap<>();
    env.put("RUNTRACE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    env.put("RUNTRACE_KAFKA_SASL_USERNAME", "runtrace");
    env.put("RUNTRACE_KAFKA_SASL_PASSWORD", "runtrace-secret");
    env.put("RUNTRACE_STREAM_HTTP_PORT", "9464");
    env.put("RUNTRACE_KAFKA_BOOTSTRAP", "127.0.0.1:9094,[::1]:9095");
    StreamProcessor.Builder b = StreamProcessorMain.fromEnvironment(env);
    assertThat(b.kafkaCredentials.toString()).isEqualTo("SASL_PLAINTEXT SCRAM-SHA-512 as runtrace");
    assertThat(b.kafkaCredentials.clientProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT");
    assertThat(b.httpPort).isEqualTo(9464);
    assertThat(StreamProcessorMain.fromEnvironment(Map.of()).httpPort).isEqualTo(StreamProcessor.HTTP_PORT_OFF);
    assertThat(StreamProcessorMain.fromEnvironment(Map.of()).kafkaCredentials.authenticates()).isFalse();
  }

  @Test
  void mainExitsWith2AndOneLineNamingTheVariable() throws Exception {
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        StreamProcessorMain.class.getName()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("RUNTRACE_"));
    pb.environment().put("RUNTRACE_STREAM_HTTP_PORT", "80a");
    Process child = pb.start();
    String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(2);
    assertThat(output.strip()).isEqualTo("runtrace stream-processor: RUNTRACE_STREAM_HTTP_PORT must be an integer, was '80a'");
  }

  private static void assertFails(String variable, String value) {
    assertThatThrownBy(() -> StreamProcessorMain.fromEnvironment(Map.of(variable, value)))
        .as(variable + "=" + value)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(variable);
  }
}

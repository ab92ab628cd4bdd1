package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtlpReceiverMainTest {
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("RUNTRACE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
    for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
    return env;
  }

  @Test
  void noTokenVariableMeansNoToken() {
    assertThat(OtlpReceiverMain.bearerToken(env())).isNull();
    assertThat(OtlpReceiverMain.fromEnv(env()).token()).isNull();
  }

  @Test
  void theTokenComesFromTheVariableOrAFile(@TempDir Path dir) throws Exception {
    assertThat(OtlpReceiverMain.fromEnv(env("RUNTRACE_OTLP_BEARER_TOKEN", "abc")).token().check("Bearer abc"))
        .isEqualTo(BearerToken.Verdict.ACCEPTED);
    Path file = dir.resolve("token");
    Files.writeString(file, "from-file\n");
    assertThat(OtlpReceiverMain.bearerToken(env("RUNTRACE_OTLP_BEARER_TOKEN_FILE", file.toString()))).isEqualTo("from-file");
  }

  @Test
  void aBadTokenSettingFailsNamingTheVariable(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> OtlpReceiverMain.fromEnv(env("RUNTRACE_OTLP_BEARER_TOKEN", "")))
        .hasMessage("RUNTRACE_OTLP_BEARER_TOKEN must not be blank");
    assertThatThrownBy(() -> OtlpReceiverMain.fromEnv(env("RUNTRACE_OTLP_BEARER_TOKEN", "has space")))
        .hasMessageStartingWith("RUNTRACE_OTLP_BEARER_TOKEN must be visible ASCII");
    assertThatThrownBy(() -> OtlpReceiverMain.fromEnv(env("RUNTRACE_OTLP_BEARER_TOKEN", "a", "RUNTRACE_OTLP_BEARER_TOKEN_FILE", "/x")))
        .hasMessage("set RUNTRACE_OTLP_BEARER_TOKEN or RUNTRACE_OTLP_BEARER_TOKEN_FILE, not both");
    assertThatThrownBy(() -> OtlpReceiverMain.fromEnv(env("RUNTRACE_OTLP_BEARER_TOKEN_FILE", dir.resolve("absent").toString())))
        .hasMessageStartingWith("RUNTRACE_OTLP_BEARER_TOKEN_FILE names a file that cannot be read: ");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> OtlpReceiverMain.fromEnv(env("RUNTRACE_OTLP_BEARER_TOKEN_FILE", empty.toString())))
        .hasMessage("RUNTRACE_OTLP_BEARER_TOKEN_FILE (" + empty + ") must not be blank");
  }

  @Test
  void kafkaCredentialsComeFromTheSharedVariables() {
    KafkaSettings settings = OtlpReceiverMain.fromEnv(env("RUNTRACE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "RUNTRACE_KAFKA_SASL_USERNAME", "runtrace", "RUNTRACE_KAFKA_SASL_PASSWORD", "pw")).settings();
    assertThat(settings.producerSettings().producerProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(settings.credentials.username()).isEqualTo("runtrace");
  }

  @Test
  void malformedKafkaCredentialsFailAtStartNamingTheVariable() {
    assertThatThrownBy(() -> OtlpReceiverMain.fromEnv(env("RUNTRACE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "RUNTRACE_KAFKA_SASL_USERNAME", "runtrace")))
        .hasMessageContaining("RUNTRACE_KAFKA_SASL_PASSWORD");
    assertThatThrownBy(() -> OtlpReceiverMain.grpcFromEnv(env("RUNTRACE_KAFKA_SASL_USERNAME", "runtrace",
        "RUNTRACE_KAFKA_SASL_PASSWORD", "pw"), null))
        .hasMessageStartingWith("RUNTRACE_KAFKA_SECURITY_PROTOCOL must be SASL_PLAINTEXT or SASL_SSL");
  }
}

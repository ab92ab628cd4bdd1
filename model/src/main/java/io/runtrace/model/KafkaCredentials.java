package io.runtrace.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a runtrace component authenticates to Kafka: nothing ({@link #NONE}, PLAINTEXT), or SASL/SCRAM
 * with a user and password over {@code SASL_PLAINTEXT} or {@code SASL_SSL}. One class for the
 * exporter, the receivers and the stream processor, so the settings and their errors are the
 * same everywhere. {@link #toString()} never shows the password.
 */
public final class KafkaCredentials {
  /** {@code RUNTRACE_KAFKA_SECURITY_PROTOCOL}: PLAINTEXT (default), SASL_PLAINTEXT or SASL_SSL. */
  public static final String SECURITY_PROTOCOL_VAR = "RUNTRACE_KAFKA_SECURITY_PROTOCOL";
  /** {@code RUNTRACE_KAFKA_SASL_MECHANISM}: SCRAM-SHA-512 (default) or SCRAM-SHA-256. */
  public static final String MECHANISM_VAR = "RUNTRACE_KAFKA_SASL_MECHANISM";
  /** {@code RUNTRACE_KAFKA_SASL_USERNAME}: required with a SASL protocol. */
  public static final String USERNAME_VAR = "RUNTRACE_KAFKA_SASL_USERNAME";
  /** {@code RUNTRACE_KAFKA_SASL_PASSWORD}: required with a SASL protocol. */
  public static final String PASSWORD_VAR = "RUNTRACE_KAFKA_SASL_PASSWORD";

  /** No authentication: PLAINTEXT. */
  public static final KafkaCredentials NONE = new KafkaCredentials("PLAINTEXT", null, null, null);

  private static final Set<String> SASL_PROTOCOLS = Set.of("SASL_PLAINTEXT", "SASL_SSL");
  private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512");

  private final String protocol;
  private final String mechanism;
  private final String username;
  private final String password;

  private KafkaCredentials(String protocol, String mechanism, String username, String password) {
    this.protocol = protocol;
    this.mechanism = mechanism;
    this.username = username;
    this.password = password;
  }

  /**
   * SASL/SCRAM credentials; fails naming the bad part.
   *
   * @param protocol SASL_PLAINTEXT or SASL_SSL
   * @param mechanism SCRAM-SHA-256 or SCRAM-SHA-512
   */
  public static KafkaCredentials scram(String protocol, String mechanism, String username, String password) {
    Objects.requireNonNull(protocol, "kafka security protocol");
    Objects.requireNonNull(mechanism, "kafka sasl mechanism");
    if (!SASL_PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException("kafka security protocol for SCRAM must be SASL_PLAINTEXT or SASL_SSL, was \""
          + protocol + "\"");
    }
    if (!MECHANISMS.contains(mechanism)) {
      throw new IllegalArgumentException("kafka sasl mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, was \""
          + mechanism + "\"");
    }
    if (username == null || username.isBlank()) throw new IllegalArgumentException("kafka sasl username must not be empty");
    if (password == null || password.isEmpty()) throw new IllegalArgumentException("kafka sasl password must not be empty");
    if (username.indexOf('\n') >= 0 || password.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("kafka sasl username and password must be one line");
    }
    return new KafkaCredentials(protocol, mechanism, username, password);
  }

  /**
   * From the four {@code RUNTRACE_KAFKA_*} variables above; all absent means {@link #NONE}. A bad
   * or missing value fails naming the variable, so a typo stops start-up instead of silently
   * connecting without authentication.
   */
  public static KafkaCredentials fromEnvironment(Map<String, String> env) {
    String protocol = trimmed(env.get(SECURITY_PROTOCOL_VAR));
    String user = env.get(USERNAME_VAR);
    String password = env.get(PASSWORD_VAR);
    if (protocol == null || protocol.equals("PLAINTEXT")) {
      if (user != null || password != null || env.get(MECHANISM_VAR) != null) {
        throw new IllegalArgumentException(SECURITY_PROTOCOL_VAR + " must be SASL_PLAINTEXT or SASL_SSL when "
            + USERNAME_VAR + ", " + PASSWORD_VAR + " or " + MECHANISM_VAR + " is set, was "
            + (protocol == null ? "unset" : "\"" + protocol + "\""));
      }
      return NONE;
    }
    if (!SASL_PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException(SECURITY_PROTOCOL_VAR + " must be PLAINTEXT, SASL_PLAINTEXT or SASL_SSL, was \""
          + protocol + "\"");
    }
    String mechanism = trimmed(env.getOrDefault(MECHANISM_VAR, "SCRAM-SHA-512"));
    if (!MECHANISMS.contains(mechanism)) {
      throw new IllegalArgumentException(MECHANISM_VAR + " must be SCRAM-SHA-256 or SCRAM-SHA-512, was \"" + mechanism + "\"");
    }
    if (user == null || user.isBlank()) throw new IllegalArgumentException(USERNAME_VAR + " is required with " + protocol);
    if (password == null || password.isEmpty()) throw new IllegalArgumentException(PASSWORD_VAR + " is required with " + protocol);
    return scram(protocol, mechanism, user, password);
  }

  /** True unless {@link #NONE}. */
  public boolean authenticates() {
    return username != null;
  }

  /** The user name, or null for {@link #NONE}: for logs that say who was refused. */
  public String username() {
    return username;
  }

  /** Kafka client properties: {@code security.protocol}, and {@code sasl.mechanism} and {@code sasl.jaas.config} for SCRAM. */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", protocol);
    if (authenticates()) {
      p.put("sasl.mechanism", mechanism);
      p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
          + jaasEscape(username) + "\" password=\"" + jaasEscape(password) + "\";");
    }
    return p;
  }

  private static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String trimmed(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @Override
  public String toString() {
    return authenticates() ? protocol + " " + mechanism + " as " + username : protocol;
  }
}

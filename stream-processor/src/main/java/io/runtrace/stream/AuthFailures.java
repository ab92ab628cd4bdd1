package io.runtrace.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.runtrace.clickhouse.ClickHouseException;
import io.runtrace.model.KafkaCredentials;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Credentials the processor's clients are being refused with, by source (the Streams threads, the
 * sink's consumer, the lag monitor's admin client, the sink's ClickHouse writer). Each refusal counts
 * in {@code runtrace_auth_failures_total{component="stream-processor",credential=…}} and holds
 * health at 503 with its reason until that source succeeds again. The log says what was refused
 * and for which user, once per change, never the password.
 */
final class AuthFailures {
  private static final System.Logger LOG = System.getLogger(AuthFailures.class.getName());
  static final String METRIC = "runtrace.auth.failures";
  static final String COMPONENT = "stream-processor";

  private final Counter kafka;
  private final Counter clickHouse;
  private final String kafkaWho;
  private final String bootstrapServers;
  private final URI clickHouseUrl;
  /** source → reason; sorted, so health names the same refusal while several hold. */
  private final Map<String, String> refused = new ConcurrentSkipListMap<>();

  AuthFailures(MeterRegistry registry, KafkaCredentials credentials, String bootstrapServers, URI clickHouseUrl) {
    // Registered at zero, so an alert has a series before the first failure.
    this.kafka = counter(registry, "kafka");
    this.clickHouse = counter(registry, "clickhouse");
    this.kafkaWho = credentials.authenticates()
        ? "user \"" + credentials.username() + "\" (" + credentials + ")"
        : "an unauthenticated client (" + credentials + ")";
    this.bootstrapServers = bootstrapServers;
    this.clickHouseUrl = clickHouseUrl;
  }

  private static Counter counter(MeterRegistry registry, String credential) {
    return Counter.builder(METRIC).tag("component", COMPONENT).tag("credential", credential)
        .description("Requests refused because a credential was rejected").register(registry);
  }

  /** The Kafka authentication or authorization failure in {@code e}'s causes, or null. */
  static RuntimeException kafkaRefusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException || t instanceof AuthorizationException) return (RuntimeException) t;
      if (t.getCause() == t) break;
    }
    return null;
  }

  /** True when ClickHouse refused the user or password (not an outage, not a missing grant). */
  static boolean clickHouseRefusal(Throwable e) {
    return e instanceof ClickHouseException ce && ce.authenticationFailed();
  }

  /** Records a Kafka refusal seen by {@code source} when {@code e} is one; true if it was. */
  boolean kafkaRefused(String source, Throwable e) {
    RuntimeException refusal = kafkaRefusal(e);
    if (refusal == null) return false;
    kafka.increment();
    String verb = refusal instanceof AuthenticationException ? "refused the SASL login of " : "denied ";
    record(source, "Kafka at " + bootstrapServers + " " + verb + kafkaWho + ": " + oneLine(refusal.getMessage()), refusal);
    return true;
  }

  /** Records a ClickHouse refusal of the writer's credentials when {@code e} is one; true if it was. */
  boolean clickHouseRefused(String source, Throwable e) {
    if (!clickHouseRefusal(e)) return false;
    clickHouse.increment();
    // The server's own message names the user it refused (18.16: "Wrong password for user writer").
    Throwable server = e.getCause() != null ? e.getCause() : e;
    record(source, "ClickHouse at " + clickHouseUrl + " refused the writer's login: " + oneLine(server.getMessage()), null);
    return true;
  }

  private void record(String source, String reason, Throwable cause) {
    String before = refused.put(source, reason);
    if (!reason.equals(before)) {
      LOG.log(Level.WARNING, reason + " (" + source + "; nothing is dropped, retrying)", cause);
    }
  }

  /** {@code source} succeeded: its refusal, if any, no longer holds health. */
  void cleared(String source) {
    String before = refused.remove(source);
    if (before != null) LOG.log(Level.INFO, "credential accepted again (" + source + "); it was: " + before);
  }

  /** The first refusal still holding, if any. */
  Optional<String> reason() {
    return refused.values().stream().findFirst();
  }

  static String oneLine(String message) {
    if (message == null) return "(no message)";
    String line = message.replaceAll("\\s+", " ").trim();
    return line.length() <= 400 ? line : line.substring(0, 400) + "…";
  }
}

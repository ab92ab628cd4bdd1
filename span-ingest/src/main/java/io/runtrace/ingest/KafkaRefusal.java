package io.runtrace.ingest;

import io.runtrace.model.KafkaCredentials;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Whether Kafka currently refuses this producer's credentials (a failed SASL login, or an ACL that
 * denies the user). Set by a send Kafka refused, cleared by the next acknowledged one; readiness
 * reports it, {@code runtrace.auth.failures{credential="kafka"}} counts it, and the log says who was
 * refused by which brokers (user name, never the password), at most once per 10 seconds.
 */
final class KafkaRefusal {
  private static final System.Logger LOG = System.getLogger(KafkaRefusal.class.getName());

  private final String credential;
  private final String bootstrapServers;
  private final IngestMetrics metrics;
  private final RateLimitedLog log;
  private volatile String reason;

  KafkaRefusal(KafkaCredentials credentials, String bootstrapServers, IngestMetrics metrics, RateLimitedLog log) {
    this.credential = credentials.toString();
    this.bootstrapServers = bootstrapServers;
    this.metrics = metrics;
    this.log = log;
  }

  KafkaRefusal(KafkaCredentials credentials, String bootstrapServers, IngestMetrics metrics) {
    this(credentials, bootstrapServers, metrics, new RateLimitedLog(LOG, System::nanoTime));
  }

  /** True when {@code e} or one of its causes says Kafka refused the login or the permission. */
  static boolean isRefusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationException || t instanceof AuthorizationException) return true;
    }
    return false;
  }

  /** Records that Kafka refused a send of {@code spans} spans with {@code e}. */
  void refused(Throwable e, int spans) {
    Throwable cause = e;
    while (!(cause instanceof AuthenticationException || cause instanceof AuthorizationException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String what = cause instanceof AuthorizationException ? "denied a permission to" : "refused the login of";
    String text = "Kafka at " + bootstrapServers + " " + what + " credential " + credential + ": "
        + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    reason = text;
    metrics.authFailure();
    metrics.dropped(IngestMetrics.DropReason.AUTH, spans);
    log.warn(text + "; dropped " + spans + " spans", e);
  }

  /** Records an acknowledged send: the credentials work (again). */
  void accepted() {
    if (reason == null) return;
    reason = null;
    LOG.log(System.Logger.Level.INFO, "Kafka at " + bootstrapServers + " accepts credential " + credential + " again");
  }

  /** What Kafka refused, naming the credential and brokers; null while sends succeed. */
  String reason() {
    return reason;
  }
}

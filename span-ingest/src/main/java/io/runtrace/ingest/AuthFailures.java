package io.runtrace.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The counter every runtrace component keeps for refused credentials: {@code runtrace.auth.failures}
 * (Prometheus {@code runtrace_auth_failures_total}) tagged {@code component=span-ingest} and
 * {@code credential}. Registering it at start-up gives alerts a series at zero before any failure.
 */
final class AuthFailures {
  static final String NAME = "runtrace.auth.failures";
  static final String COMPONENT = "span-ingest";
  /** A Kafka SASL login or ACL that refused the producer. */
  static final String KAFKA = "kafka";
  /** An OTLP request without the receiver's bearer token. */
  static final String BEARER_TOKEN = "bearer_token";

  private AuthFailures() {}

  /** The registry's counter for {@code credential}, registered on first use (at zero). */
  static Counter counter(MeterRegistry registry, String credential) {
    return Counter.builder(NAME)
        .description("Credentials refused, by component and credential")
        .tag("component", COMPONENT)
        .tag("credential", credential)
        .register(registry);
  }
}

package io.runtrace.localstack;

/**
 * The credentials of every local stack, for the demo and the tests: the ClickHouse users the
 * pipeline's services connect as, and the Kafka SCRAM user of the brokers' SASL_PLAINTEXT
 * listener ({@link LocalStack#kafkaSaslBootstrapServers()}). Loopback-only servers; not secrets.
 * ClickHouse's {@code default} user stays passwordless: it is the administrator (DDL, fixtures).
 */
public final class StackCredentials {
  private StackCredentials() {}

  /** The ClickHouse user the sink writes as (profile {@code writer}: may insert and drop partitions). */
  public static final String CLICKHOUSE_WRITER_USER = "writer";
  public static final String CLICKHOUSE_WRITER_PASSWORD = "writer-secret";
  /** The ClickHouse user the query API reads as (profile {@code reader}: read-only, with guards). */
  public static final String CLICKHOUSE_READER_USER = "reader";
  public static final String CLICKHOUSE_READER_PASSWORD = "reader-secret";
  /** The SASL mechanism of the brokers' SASL_PLAINTEXT listener. */
  public static final String KAFKA_SASL_MECHANISM = "SCRAM-SHA-512";
  public static final String KAFKA_SASL_USER = "runtrace";
  public static final String KAFKA_SASL_PASSWORD = "runtrace-secret";
}

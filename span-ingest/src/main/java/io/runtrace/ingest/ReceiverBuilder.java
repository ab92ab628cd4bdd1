package io.runtrace.ingest;

/** Setters shared by the OTLP/HTTP and OTLP/gRPC receivers' builders, on top of the Kafka ones. */
abstract class ReceiverBuilder<B extends ReceiverBuilder<B>> extends KafkaSettings.Builder<B> {
  String host = OtlpHttpReceiver.DEFAULT_HOST;
  int port;
  int maxRequestBytes = OtlpHttpReceiver.DEFAULT_MAX_REQUEST_BYTES;
  int threads = OtlpHttpReceiver.DEFAULT_THREADS;
  private String bearerToken;
  private boolean bearerTokenSet;

  ReceiverBuilder(int defaultPort) {
    this.port = defaultPort;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** Address to bind. Default {@code 0.0.0.0}, every interface, like the Collector. */
  public B host(String host) {
    this.host = host;
    return self();
  }

  /** Port to listen on; 0 picks a free one. Default 4318 for OTLP/HTTP, 4317 for OTLP/gRPC. */
  public B port(int port) {
    this.port = port;
    return self();
  }

  /**
   * Largest request in bytes, after decompression; larger ones are refused (HTTP 413, gRPC
   * RESOURCE_EXHAUSTED). Default 4 MiB.
   */
  public B maxRequestBytes(int maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    return self();
  }

  /** Request handler threads. Default 4. */
  public B threads(int threads) {
    this.threads = threads;
    return self();
  }

  /**
   * Requires {@code Authorization: Bearer <token>} on every OTLP request, as the Collector's
   * {@code bearertokenauth} extension does; others get HTTP 401 / gRPC {@code UNAUTHENTICATED}.
   * Health, readiness and metrics stay open. Visible ASCII without spaces; blank fails at build.
   * Default: none, every request is accepted.
   */
  public B bearerToken(String token) {
    this.bearerToken = token;
    this.bearerTokenSet = true;
    return self();
  }

  /** The validated token, or null when none was set. */
  BearerToken token() {
    return bearerTokenSet ? BearerToken.of(bearerToken, "bearerToken") : null;
  }

  /** Fails naming the receiver setting at fault. */
  void validateReceiver() {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be blank");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, was " + port);
    if (maxRequestBytes < 1) throw new IllegalArgumentException("maxRequestBytes must be positive, was " + maxRequestBytes);
    if (threads < 1) throw new IllegalArgumentException("threads must be positive, was " + threads);
    token();
  }
}

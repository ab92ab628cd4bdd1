package io.runtrace.ingest;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP/gRPC receiver ({@code opentelemetry.proto.collector.trace.v1.TraceService/Export},
 * gzip accepted) on the same path as {@link OtlpHttpReceiver}. When the budget is full it answers
 * {@code RESOURCE_EXHAUSTED} with a {@code google.rpc.RetryInfo} so OTLP clients back off. With a
 * {@link Builder#bearerToken bearer token}, calls without it are closed {@code UNAUTHENTICATED}.
 */
public final class OtlpGrpcReceiver implements AutoCloseable {
  /** The standard OTLP/gRPC port. */
  public static final int DEFAULT_PORT = 4317;
  /** Concurrent calls one connection may have open. */
  public static final int MAX_CONCURRENT_CALLS_PER_CONNECTION = 16;

  private final KafkaSettings settings;
  private final String host;
  private final int requestedPort;
  private final int maxRequestBytes;
  private final int threads;
  private final BearerToken token;
  private Server server;
  private ThreadPoolExecutor executor;
  private SharedProducer producer;

  private OtlpGrpcReceiver(Builder b, KafkaSettings settings) {
    this.settings = settings;
    this.host = b.host;
    this.requestedPort = b.port;
    this.maxRequestBytes = b.maxRequestBytes;
    this.threads = b.threads;
    this.token = b.token();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving; Kafka is connected in the background. */
  public synchronized OtlpGrpcReceiver start() {
    if (server != null) throw new IllegalStateException("already started");
    producer = SharedProducer.acquire(settings.producerSettings());
    MeterRegistry registry = settings.meterRegistry != null ? settings.meterRegistry : new SimpleMeterRegistry();
    producer.metrics.bindTo(registry);
    BearerAuth auth = new BearerAuth(token, "OTLP/gRPC", registry);
    AtomicInteger n = new AtomicInteger();
    // Bounded threads and queue; past that the transport thread runs the call itself, which slows intake.
    executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads * 16), r -> {
      Thread t = new Thread(r, "runtrace-otlp-grpc-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress(host, requestedPort))
          .executor(executor)
          .maxInboundMessageSize(maxRequestBytes)
          .maxConcurrentCallsPerConnection(MAX_CONCURRENT_CALLS_PER_CONNECTION)
          .addService(ServerInterceptors.intercept(
              new TraceGrpcService(producer, new TraceRecordBatcher(settings.maxRecordBytes)), new BearerTokenInterceptor(auth)))
          .build().start();
    } catch (IOException e) {
      producer.release(settings.flushTimeout);
      executor.shutdown();
      throw new UncheckedIOException("cannot listen on " + host + ":" + requestedPort, e);
    }
    return this;
  }

  /** The bound port, useful with port 0; -1 before {@link #start()}. */
  public synchronized int port() {
    return server == null ? -1 : server.getPort();
  }

  /** Stops accepting calls, then flushes held spans to Kafka within the flush timeout. */
  @Override
  public synchronized void close() {
    if (server == null) return;
    server.shutdown();
    try {
      server.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdownNow();
    executor.shutdown();
    producer.release(settings.flushTimeout);
    server = null;
  }

  /** Builds an {@link OtlpGrpcReceiver}; {@link #bootstrapServers} is required. */
  public static final class Builder extends ReceiverBuilder<Builder> {
    private Builder() {
      super(DEFAULT_PORT);
    }

    /** Validates the settings, naming the one at fault; {@link OtlpGrpcReceiver#start()} binds the port. */
    public OtlpGrpcReceiver build() {
      validateReceiver();
      return new OtlpGrpcReceiver(this, settings());
    }
  }
}

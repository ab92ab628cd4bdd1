package io.runtrace.ingest;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Closes gRPC calls without the receiver's bearer token with {@code UNAUTHENTICATED} before they reach the service. */
final class BearerTokenInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final BearerAuth auth;

  BearerTokenInterceptor(BearerAuth auth) {
    this.auth = auth;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    BearerToken.Verdict verdict = auth.check(headers.get(AUTHORIZATION), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    if (verdict == BearerToken.Verdict.ACCEPTED) return next.startCall(call, headers);
    call.close(Status.UNAUTHENTICATED.withDescription(verdict == BearerToken.Verdict.MISSING
        ? "missing bearer token: send metadata authorization: Bearer <token>"
        : "invalid bearer token"), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}

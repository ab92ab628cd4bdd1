package io.runtrace.ingest;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.lang.System.Logger.Level;

/** {@code TraceService/Export}: the gRPC face of {@link Intake}. */
final class TraceGrpcService extends TraceServiceGrpc.TraceServiceImplBase {
  private static final System.Logger LOG = System.getLogger(TraceGrpcService.class.getName());
  /** What a refused call carries: RESOURCE_EXHAUSTED with a RetryInfo of {@link TracesHandler#RETRY_AFTER_SECONDS}. */
  static final Status BUFFER_FULL = Status.newBuilder()
      .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
      .setMessage("span buffer is full; retry later")
      .addDetails(Any.pack(RetryInfo.newBuilder()
          .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(TracesHandler.RETRY_AFTER_SECONDS)).build()))
      .build();

  private final SharedProducer producer;
  private final TraceRecordBatcher batcher;

  TraceGrpcService(SharedProducer producer, TraceRecordBatcher batcher) {
    this.producer = producer;
    this.batcher = batcher;
  }

  @Override
  public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
    ExportTraceServiceResponse response;
    try {
      response = Intake.export(producer, batcher, request);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "OTLP/gRPC request failed", e);
      observer.onError(io.grpc.Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
      return;
    }
    if (response == null) {
      observer.onError(StatusProto.toStatusRuntimeException(BUFFER_FULL));
    } else {
      observer.onNext(response);
      observer.onCompleted();
    }
  }
}

package io.runtrace.ingest;

import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** The receivers' common step: batch a request by trace, refuse it whole when the budget is full, else hold it. */
final class Intake {
  private Intake() {}

  /**
   * The OTLP response for {@code request}, naming rejected spans in {@code partial_success}; null
   * when the budget cannot take the request now, in which case nothing was kept and the caller
   * should answer "retry later" (HTTP 429, gRPC RESOURCE_EXHAUSTED).
   */
  static ExportTraceServiceResponse export(SharedProducer producer, TraceRecordBatcher batcher, ExportTraceServiceRequest request) {
    TraceRecordBatcher.Result batch = batcher.batch(request.getResourceSpansList());
    long bytes = 0;
    boolean runRoot = false;
    for (TraceRecord r : batch.records) {
      bytes += r.bytes();
      runRoot |= r.runRoot;
    }
    // Requests carrying run root spans may still use the reserved share, so they are not refused here.
    if (!batch.records.isEmpty() && !runRoot && !producer.budget.wouldFit(bytes)) {
      producer.metrics.throttled.increment();
      return null;
    }
    long rejected = KafkaSpanExporter.offer(batch, producer);
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (rejected > 0) {
      response.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected)
          .setErrorMessage(batch.rejections.toString()));
    }
    return response.build();
  }
}

package io.runtrace.stream;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * protobuf-java refuses a whole proto3 message when any string in it is not UTF-8, so one bad
 * span would sink a record of good ones. This walks the record's wire format by hand and parses
 * each resource, scope and span on its own: what parses is kept, a span that doesn't is set
 * aside, re-encoded as a request with its resource and scope, byte for byte as received.
 */
final class OtlpSalvage {
  /** The spans that parse, and the requests of those that did not, by reason. */
  record Salvaged(ExportTraceServiceRequest request, List<byte[]> invalidUtf8, List<byte[]> undecodable) {}

  private OtlpSalvage() {}

  /** Fails when the record's own structure (not a span's content) is broken. */
  static Salvaged salvage(byte[] record) throws InvalidProtocolBufferException {
    ExportTraceServiceRequest.Builder good = ExportTraceServiceRequest.newBuilder();
    List<byte[]> invalidUtf8 = new ArrayList<>();
    List<byte[]> undecodable = new ArrayList<>();
    for (byte[] rs : fields(record, 1)) {
      byte[] resourceRaw = first(fields(rs, 1));
      ResourceSpans.Builder rb = ResourceSpans.newBuilder();
      InvalidProtocolBufferException resourceError = null;
      try {
        rb.setResource(Resource.parseFrom(resourceRaw));
      } catch (InvalidProtocolBufferException e) {
        resourceError = e;
      }
      for (byte[] ss : fields(rs, 2)) {
        byte[] scopeRaw = first(fields(ss, 1));
        ScopeSpans.Builder sb = ScopeSpans.newBuilder();
        InvalidProtocolBufferException error = resourceError;
        try {
          sb.setScope(InstrumentationScope.parseFrom(scopeRaw));
        } catch (InvalidProtocolBufferException e) {
          error = error == null ? e : error;
        }
        for (byte[] span : fields(ss, 2)) {
          InvalidProtocolBufferException spanError = error;
          if (spanError == null) {
            try {
              sb.addSpans(Span.parseFrom(span));
              continue;
            } catch (InvalidProtocolBufferException e) {
              spanError = e;
            }
          }
          byte[] request = request(resourceRaw, scopeRaw, span);
          (isInvalidUtf8(spanError) ? invalidUtf8 : undecodable).add(request);
        }
        if (sb.getSpansCount() > 0) rb.addScopeSpans(sb);
      }
      if (rb.getScopeSpansCount() > 0) good.addResourceSpans(rb);
    }
    return new Salvaged(good.build(), invalidUtf8, undecodable);
  }

  static boolean isInvalidUtf8(InvalidProtocolBufferException e) {
    return e.getMessage() != null && e.getMessage().contains("invalid UTF-8");
  }

  /** The length-delimited values of one field number, in order; other fields are skipped. */
  private static List<byte[]> fields(byte[] message, int number) throws InvalidProtocolBufferException {
    List<byte[]> out = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == (number << 3 | 2)) {
          out.add(in.readByteArray());
        } else if (!in.skipField(tag)) {
          break;
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    return out;
  }

  private static byte[] first(List<byte[]> values) {
    return values.isEmpty() ? new byte[0] : values.get(0);
  }

  /** {@code ExportTraceServiceRequest{resource_spans{resource, scope_spans{scope, spans}}}}, raw. */
  private static byte[] request(byte[] resource, byte[] scope, byte[] span) {
    byte[] scopeSpans = concat(field(1, scope), field(2, span));
    return field(1, concat(field(1, resource), field(2, scopeSpans)));
  }

  private static byte[] field(int number, byte[] value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + 8);
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(number, value);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

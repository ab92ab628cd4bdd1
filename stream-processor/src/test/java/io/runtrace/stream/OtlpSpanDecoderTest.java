package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.T0;
import static io.runtrace.stream.TestSpans.request;
import static io.runtrace.stream.TestSpans.span;
import static io.runtrace.stream.TestSpans.spanId;
import static io.runtrace.stream.TestSpans.traceId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import org.junit.jupiter.api.Test;

class OtlpSpanDecoderTest {
  static final long RECORD_MS = T0 / MS + 60_000;
  final OtlpSpanDecoder decoder = new OtlpSpanDecoder(64 * 1024);

  /** A request whose second span's name is not UTF-8; protobuf's builders refuse to make one. */
  static byte[] withInvalidUtf8Span(String t) {
    byte[] ok = request(span(t, spanId(1), "", "ok", 0, 1, false), span(t, spanId(2), "", "Q~Q~", 0, 1, false));
    return TestEncoding.replace(ok, "Q~Q~", new byte[] {(byte) 0xc3, 0x28, (byte) 0xff, 0x41});
  }

  @Test
  void givenAStringThatIsNotUtf8_whenProtobufParses_thenItRefusesTheWholeRecord() {
    assertThatThrownBy(() -> ExportTraceServiceRequest.parseFrom(withInvalidUtf8Span(traceId(1))))
        .isInstanceOf(InvalidProtocolBufferException.class).hasMessageContaining("invalid UTF-8");
  }

  @Test
  void givenOneSpanThatIsNotUtf8_whenDecoded_thenOnlyThatSpanIsRejectedAsInvalidUtf8() throws Exception {
    OtlpSpanDecoder.Decoded d = decoder.decode(withInvalidUtf8Span(traceId(1)), RECORD_MS);
    assertThat(d.traces().get(traceId(1))).extracting(SpanRow::spanId).containsExactly(spanId(1));
    assertThat(d.rejected()).containsOnlyKeys(DeadLetterReason.INVALID_UTF8);
    OtlpSpanDecoder.Rejected rejected = d.rejected().get(DeadLetterReason.INVALID_UTF8);
    assertThat(rejected.spans()).isEqualTo(1);
    OtlpSalvage.Salvaged again = OtlpSalvage.salvage(rejected.request());
    assertThat(again.invalidUtf8()).as("the dead letter holds the span as received").hasSize(1);
  }

  @Test
  void givenBytesThatAreNotProtobuf_whenDecoded_thenTheWholeRecordIsUndecodable() {
    assertThatThrownBy(() -> decoder.decode(new byte[] {(byte) 0xff, 0x01, 0x02}, RECORD_MS))
        .isInstanceOfSatisfying(DeadLetterException.class, e -> assertThat(e.reason).isEqualTo(DeadLetterReason.UNDECODABLE));
    byte[] truncated = java.util.Arrays.copyOf(request(span(traceId(1), spanId(1), "", "x", 0, 1, false)), 20);
    assertThatThrownBy(() -> decoder.decode(truncated, RECORD_MS))
        .isInstanceOfSatisfying(DeadLetterException.class, e -> assertThat(e.reason).isEqualTo(DeadLetterReason.UNDECODABLE));
  }

  @Test
  void givenSpansWithBadIdsOrTimes_whenDecoded_thenEachIsRejectedWithItsReason() throws Exception {
    String t = traceId(1);
    long yearAgoMs = -365L * 24 * 3600 * 1000;
    byte[] value = request(span(t, spanId(1), "", "good", 0, 1, false),
        span(t, "0000000000000000", "", "zero span id", 0, 1, false),
        span(t, spanId(3), "", "ends before start", 10, 5, false),
        span(t, spanId(4), "", "two days ahead", 2 * 24 * 3600 * 1000L, 2 * 24 * 3600 * 1000L + 1, false),
        span(t, spanId(5), "", "old but fine", yearAgoMs, yearAgoMs + 1, false));
    OtlpSpanDecoder.Decoded d = decoder.decode(value, RECORD_MS);
    assertThat(d.traces().get(t)).extracting(SpanRow::name).containsExactly("good", "old but fine");
    assertThat(d.rejected().get(DeadLetterReason.MISSING_SPAN_ID).spans()).isEqualTo(1);
    assertThat(d.rejected().get(DeadLetterReason.ABSURD_TIMESTAMP).spans()).isEqualTo(2);
  }
}

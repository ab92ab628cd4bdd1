package io.runtrace.stream;

import static io.runtrace.stream.TestRows.failed;
import static io.runtrace.stream.TestRows.marker;
import static io.runtrace.stream.TestRows.run;
import static io.runtrace.stream.TestRows.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RunStateSerdeTest {
  private final RunStateSerde serde = new RunStateSerde();

  @Test
  void everyFieldSurvivesTheRoundTrip() {
    RunState state = sample();

    RunState back = serde.deserialize("t", serde.serialize("t", state));

    assertThat((Object) Json.MAPPER.valueToTree(back)).isEqualTo(Json.MAPPER.valueToTree(state));
    assertThat(back.spanIds).containsExactlyElementsOf(state.spanIds);
    assertThat(back.toRow(7)).isEqualTo(state.toRow(7));
  }

  @Test
  void stateWrittenAsJsonByEarlierVersionsIsStillRead() throws Exception {
    RunState state = sample();

    RunState back = serde.deserialize("t", Json.MAPPER.writeValueAsBytes(state));

    assertThat(back.spanIds).containsExactlyInAnyOrderElementsOf(state.spanIds);
    back.spanIds = state.spanIds; // JSON read them into a HashSet, so in another order
    assertThat((Object) Json.MAPPER.valueToTree(back)).isEqualTo(Json.MAPPER.valueToTree(state));
  }

  @Test
  void stateWrittenInFormat1IsReadWithNoListedKeys() {
    RunState state = sample();
    byte[] v2 = serde.serialize("t", state);
    // Format 1 is format 2 without the listed keys at the end: an int count and two strings.
    int tail = 4;
    for (String key : state.listed) tail += 4 + key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - tail);
    v1[0] = RunStateSerde.FORMAT_V1;

    RunState back = serde.deserialize("t", v1);

    assertThat(back.listed).isEmpty();
    assertThat(back.toRow(7)).isEqualTo(state.toRow(7));
  }

  @Test
  void nullsRoundTripAsNulls() {
    RunState state = sample();
    state.spanIds = null;
    state.errorMessage = null;

    RunState back = serde.deserialize("t", serde.serialize("t", state));

    assertThat(back.spanIds).isNull();
    assertThat(back.errorMessage).isNull();
  }

  @Test
  void unknownFormatOrTruncatedBytesFailWithAClearError() {
    byte[] bytes = serde.serialize("t", sample());

    assertThatThrownBy(() -> serde.deserialize("t", new byte[] {9, 0})).isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown run state format 9");
    assertThatThrownBy(() -> serde.deserialize("t", java.util.Arrays.copyOf(bytes, bytes.length / 2)))
        .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt run state");
    assertThat(serde.deserialize("t", null)).isNull();
  }

  private static RunState sample() {
    RunState s = new RunState();
    s.merge(marker("0000000000000001", "queued", 0));
    s.merge(run("failed", 100, 900));
    s.merge(failed(step("0000000000000002", "charge", 2, 200, 300, true), "card declined: ü"));
    s.revision = 3;
    s.stale = true;
    s.lastRecordMs = 1234;
    s.closed = true;
    s.closedAtMs = 5678;
    s.dueMs = 9999;
    s.listed.add("\u001fproduction");
    s.listed.add("acme\u001fproduction");
    return s;
  }
}

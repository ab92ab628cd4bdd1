package io.runtrace.stream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Run state in the store and its changelog as a compact binary record, a format byte first. It
 * replaced JSON, which cost more CPU than the merge itself; state written as JSON or as format 1
 * by earlier versions is still read.
 */
final class RunStateSerde implements Serializer<RunState>, Deserializer<RunState> {
  static final byte FORMAT_V1 = 1;
  /** V1 and the keys the run was listed under. */
  static final byte FORMAT_V2 = 2;

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  @Override
  public byte[] serialize(String topic, RunState s) {
    if (s == null) return null;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + (s.spanIds == null ? 0 : s.spanIds.size() * 20));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_V2);
      string(out, s.traceId);
      for (RunState.Pick p : picks(s)) {
        string(out, p.value);
        out.writeInt(p.priority);
      }
      string(out, s.statusReport.status);
      out.writeBoolean(s.statusReport.terminal);
      out.writeLong(s.statusReport.nanos);
      string(out, s.statusReport.spanId);
      string(out, s.statusReport.error);
      for (long v : new long[] {s.queuedNanos, s.startedNanos, s.lastSpanNanos, s.createdNanos, s.attempts, s.errorNanos}) {
        out.writeLong(v);
      }
      string(out, s.errorSpanId);
      string(out, s.errorMessage);
      out.writeInt(s.spanIds == null ? -1 : s.spanIds.size());
      if (s.spanIds != null) for (String id : s.spanIds) string(out, id);
      out.writeLong(s.spanCount);
      out.writeLong(s.revision);
      out.writeBoolean(s.stale);
      out.writeLong(s.lastRecordMs);
      out.writeBoolean(s.closed);
      out.writeLong(s.closedAtMs);
      out.writeLong(s.dueMs);
      out.writeInt(s.listed.size());
      for (String key : s.listed) string(out, key);
    } catch (IOException e) {
      throw new SerializationException("cannot write run state", e);
    }
    return bytes.toByteArray();
  }

  @Override
  public RunState deserialize(String topic, byte[] bytes) {
    if (bytes == null) return null;
    if (bytes.length > 0 && bytes[0] == '{') return Json.read(bytes, RunState.class);
    if (bytes.length == 0 || (bytes[0] != FORMAT_V1 && bytes[0] != FORMAT_V2)) {
      throw new SerializationException("unknown run state format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
    }
    RunState s = new RunState();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
      s.traceId = string(in);
      for (RunState.Pick p : picks(s)) {
        p.value = string(in);
        p.priority = in.readInt();
      }
      s.statusReport.status = string(in);
      s.statusReport.terminal = in.readBoolean();
      s.statusReport.nanos = in.readLong();
      s.statusReport.spanId = string(in);
      s.statusReport.error = string(in);
      s.queuedNanos = in.readLong();
      s.startedNanos = in.readLong();
      s.lastSpanNanos = in.readLong();
      s.createdNanos = in.readLong();
      s.attempts = in.readLong();
      s.errorNanos = in.readLong();
      s.errorSpanId = string(in);
      s.errorMessage = string(in);
      int ids = in.readInt();
      if (ids > in.available()) throw new IOException("bad span id count " + ids);
      s.spanIds = ids < 0 ? null : new LinkedHashSet<>(Math.max(16, ids * 2));
      for (int i = 0; i < ids; i++) s.spanIds.add(string(in));
      s.spanCount = in.readLong();
      s.revision = in.readLong();
      s.stale = in.readBoolean();
      s.lastRecordMs = in.readLong();
      s.closed = in.readBoolean();
      s.closedAtMs = in.readLong();
      s.dueMs = in.readLong();
      if (bytes[0] == FORMAT_V2) {
        int listed = in.readInt();
        if (listed < 0 || listed > RunState.MAX_LISTED) throw new IOException("bad listed key count " + listed);
        for (int i = 0; i < listed; i++) s.listed.add(string(in));
      }
    } catch (IOException e) {
      throw new SerializationException("corrupt run state (" + bytes.length + " bytes)", e);
    }
    return s;
  }

  private static RunState.Pick[] picks(RunState s) {
    return new RunState.Pick[] {s.runId, s.tenant, s.environment, s.app, s.function};
  }

  /** Length-prefixed UTF-8; null as length -1, so a state reads back exactly as it was written. */
  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == -1) return null;
    if (n < 0 || n > in.available()) throw new IOException("bad string length " + n);
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}

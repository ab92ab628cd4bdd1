package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final AtomicLong now = new AtomicLong(1_000);
  private final RateLimitedLog log = new RateLimitedLog(new Recording(lines), now::get);

  @Test
  void writesAtMostOncePerIntervalWithHowManyTimesItHappened() {
    assertThat(log.warn("refused A", null)).isTrue();
    now.addAndGet(TimeUnit.SECONDS.toNanos(3));
    assertThat(log.warn("refused B", null)).isFalse();
    assertThat(log.warn("refused C", null)).isFalse();
    now.addAndGet(TimeUnit.SECONDS.toNanos(7));
    assertThat(log.warn("refused D", null)).isTrue();
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));
    assertThat(log.warn("refused E", null)).isTrue();

    assertThat(lines).containsExactly("refused A", "refused D (3 times since the last such message)", "refused E");
  }

  /** A logger that keeps the lines at WARNING. */
  private static final class Recording implements System.Logger {
    private final List<String> lines;

    Recording(List<String> lines) {
      this.lines = lines;
    }

    @Override
    public String getName() {
      return "test";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (level == Level.WARNING) lines.add(msg);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      if (level == Level.WARNING) lines.add(format);
    }
  }
}

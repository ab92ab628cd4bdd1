package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads one page of runs newest first in slices that grow backwards from the window's end (or the
 * cursor): the last {@value #FIRST_SLICE_HOURS} hour first, then each slice
 * {@value #GROWTH} times the one before, until {@code limit + 1} runs are found or the window is
 * read. A busy tenant's page reads an hour of its runs; a quiet one's reads its whole window,
 * which holds few. One row more than the limit tells whether there is another page.
 */
final class RunPager {
  static final int FIRST_SLICE_HOURS = 1;
  static final int GROWTH = 4;
  private static final long HOUR = 3_600_000_000_000L;

  record Page(List<JsonNode> runs, boolean hasMore, int queries) {}

  private final SelectRunPage select;

  RunPager(SelectRunPage select) {
    this.select = select;
  }

  Page page(RunFilter f, Function<String, List<JsonNode>> reader) {
    RunCursor cursor = f.cursor().orElse(null);
    long hi = f.window().toNanos();
    if (cursor != null) hi = Math.min(hi, cursor.createdNanos() + 1);
    long lo = f.window().fromNanos();
    List<JsonNode> rows = new ArrayList<>();
    long width = FIRST_SLICE_HOURS * HOUR;
    int queries = 0;
    boolean first = true;
    while (rows.size() <= f.limit() && hi > lo) {
      long sliceLo = Math.max(lo, hi - width);
      rows.addAll(reader.apply(select.sql(f, sliceLo, hi, first ? cursor : null, f.limit() + 1 - rows.size())));
      queries++;
      first = false;
      hi = sliceLo;
      width = width > Long.MAX_VALUE / GROWTH ? Long.MAX_VALUE : width * GROWTH;
    }
    boolean more = rows.size() > f.limit();
    return new Page(more ? rows.subList(0, f.limit()) : rows, more, queries);
  }
}

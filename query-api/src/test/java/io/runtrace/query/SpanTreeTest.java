package io.runtrace.query;

import static io.runtrace.query.TestRows.T0;
import static io.runtrace.query.TestRows.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanTreeTest {
  @Test
  void nestsChildrenUnderParentsOrderedByStart() {
    List<JsonNode> rows = List.of(
        span("c2", "root", T0 + 30), span("root", "", T0), span("c1", "root", T0 + 10),
        span("g1", "c1", T0 + 20));

    SpanTree tree = SpanTree.build(rows, 100);

    assertThat(ids(tree.roots())).containsExactly("root");
    JsonNode root = tree.roots().get(0);
    assertThat(ids(root.get("children"))).containsExactly("c1", "c2");
    assertThat(ids(root.get("children").get(0).get("children"))).containsExactly("g1");
    assertThat(root.get("children").get(1).get("children")).isEmpty();
    assertThat(tree.truncated()).isFalse();
    assertThat(tree.size()).isEqualTo(4);
  }

  @Test
  void orphansBecomeRootsSoNothingIsHidden() {
    List<JsonNode> rows = List.of(
        span("root", "", T0), span("lost", "never-arrived", T0 - 5), span("child", "lost", T0 + 1));

    SpanTree tree = SpanTree.build(rows, 100);

    assertThat(ids(tree.roots())).containsExactly("lost", "root");
    assertThat(ids(tree.roots().get(0).get("children"))).containsExactly("child");
  }

  @Test
  void parentCyclesAndSelfParentsAreShownAsRoots() {
    List<JsonNode> rows = List.of(span("a", "b", T0), span("b", "a", T0 + 1), span("s", "s", T0 + 2));

    SpanTree tree = SpanTree.build(rows, 100);

    assertThat(ids(tree.roots())).containsExactly("a", "s");
    assertThat(ids(tree.roots().get(0).get("children"))).containsExactly("b");
    assertThat(tree.roots().get(0).get("children").get(0).get("children")).isEmpty();
  }

  @Test
  void capKeepsTheEarliestSpansAndSaysTruncated() {
    List<JsonNode> rows = new ArrayList<>();
    rows.add(span("root", "", T0));
    for (int i = 1; i <= 5; i++) rows.add(span("s" + i, "root", T0 + i));

    SpanTree tree = SpanTree.build(rows, 3);

    assertThat(tree.truncated()).isTrue();
    assertThat(tree.size()).isEqualTo(3);
    assertThat(ids(tree.roots().get(0).get("children"))).containsExactly("s1", "s2");
  }

  @Test
  void veryDeepChainsRestartAsRootsInsteadOfNestingWithoutBound() {
    List<JsonNode> rows = new ArrayList<>();
    rows.add(span("d0", "", T0));
    for (int i = 1; i < SpanTree.MAX_DEPTH + 10; i++) rows.add(span("d" + i, "d" + (i - 1), T0 + i));

    SpanTree tree = SpanTree.build(rows, 10_000);

    assertThat(ids(tree.roots())).containsExactly("d0", "d" + SpanTree.MAX_DEPTH);
    assertThat(countAll(tree.roots())).isEqualTo(SpanTree.MAX_DEPTH + 10);
  }

  @Test
  void emptyTrace() {
    SpanTree tree = SpanTree.build(List.of(), 10);

    assertThat(tree.roots()).isEmpty();
    assertThat(tree.truncated()).isFalse();
  }

  private static List<String> ids(Iterable<? extends JsonNode> nodes) {
    List<String> ids = new ArrayList<>();
    nodes.forEach(n -> ids.add(n.get("span_id").asText()));
    return ids;
  }

  private static int countAll(Iterable<? extends JsonNode> nodes) {
    int n = 0;
    for (JsonNode node : nodes) n += 1 + countAll(node.get("children"));
    return n;
  }
}

package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Nests a trace's spans under their parents. Nothing is hidden: a span whose parent is empty or
 * missing from the trace is a root, and so is any span not reachable from a root (a parent
 * cycle) or deeper than {@link #MAX_DEPTH}. Siblings and roots are ordered by start time, then
 * span id. At most {@code maxSpans} spans are kept, the earliest; {@link #truncated()} says so.
 */
final class SpanTree {
  /** Levels of nesting kept; deeper spans start a new root so the JSON stays serializable. */
  static final int MAX_DEPTH = 256;

  private static final Comparator<Node> BY_START =
      Comparator.comparingLong(Node::start).thenComparing(Node::id);

  private final List<ObjectNode> roots;
  private final boolean truncated;
  private final int size;

  private SpanTree(List<ObjectNode> roots, boolean truncated, int size) {
    this.roots = roots;
    this.truncated = truncated;
    this.size = size;
  }

  /** Builds the tree from {@code spans} rows; {@code maxSpans} must be at least 1. */
  static SpanTree build(List<JsonNode> rows, int maxSpans) {
    List<Node> nodes = new ArrayList<>(rows.size());
    for (JsonNode row : rows) {
      ObjectNode json = SpanJson.toJson(row);
      nodes.add(new Node(Rows.text(row, "span_id"), Rows.text(row, "parent_span_id"),
          Rows.longValue(row, "start_unix_nano"), json, json.putArray("children")));
    }
    nodes.sort(BY_START);
    boolean truncated = nodes.size() > maxSpans;
    if (truncated) nodes = new ArrayList<>(nodes.subList(0, maxSpans));

    Map<String, Node> byId = new HashMap<>();
    for (Node n : nodes) byId.putIfAbsent(n.id(), n);
    Map<String, List<Node>> childrenOf = new HashMap<>();
    for (Node n : nodes) {
      if (!isRoot(n, byId)) childrenOf.computeIfAbsent(n.parentId(), k -> new ArrayList<>()).add(n);
    }

    List<Node> roots = new ArrayList<>();
    Set<Node> placed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node n : nodes) {
      if (isRoot(n, byId)) plant(n, roots, placed, byId, childrenOf);
    }
    // Whatever no root reached (cycles, or nesting past MAX_DEPTH) is shown as a root of its own.
    for (Node n : nodes) {
      if (!placed.contains(n)) plant(n, roots, placed, byId, childrenOf);
    }
    roots.sort(BY_START);
    List<ObjectNode> out = new ArrayList<>(roots.size());
    for (Node r : roots) out.add(r.json());
    return new SpanTree(out, truncated, nodes.size());
  }

  private static boolean isRoot(Node n, Map<String, Node> byId) {
    return n.parentId().isEmpty() || n.parentId().equals(n.id()) || !byId.containsKey(n.parentId());
  }

  private static void plant(Node root, List<Node> roots, Set<Node> placed,
      Map<String, Node> byId, Map<String, List<Node>> childrenOf) {
    placed.add(root);
    roots.add(root);
    Deque<Node> stack = new ArrayDeque<>();
    Deque<Integer> depths = new ArrayDeque<>();
    stack.push(root);
    depths.push(1);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      int depth = depths.pop();
      // Only the first span with an id owns its children, so a duplicated id cannot place a child twice.
      if (depth >= MAX_DEPTH || byId.get(n.id()) != n) continue;
      for (Node child : childrenOf.getOrDefault(n.id(), List.of())) {
        if (!placed.add(child)) continue;
        n.children().add(child.json());
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }

  /** Root spans, each with its {@code children} nested. */
  List<ObjectNode> roots() {
    return roots;
  }

  /** True when the trace had more spans than the cap. */
  boolean truncated() {
    return truncated;
  }

  /** Spans in the tree, after the cap. */
  int size() {
    return size;
  }

  private record Node(String id, String parentId, long start, ObjectNode json, ArrayNode children) {}
}

package io.runtrace.stream;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps the sink's batch consistent across rebalances. Before partitions are revoked the batch
 * gets one insert attempt and its offsets are committed; either way it is then dropped and every
 * partition the sink keeps is moved back to its last commit, so nothing buffered is lost and the
 * caller discards the rest of its poll. Partitions assigned while the sink is paused stay paused.
 */
final class SinkRebalance implements ConsumerRebalanceListener {
  private static final System.Logger LOG = System.getLogger(SinkRebalance.class.getName());
  private final ClickHouseSink sink;
  private long generation;

  SinkRebalance(ClickHouseSink sink) {
    this.sink = sink;
  }

  /** Changes whenever partitions were revoked or lost. */
  long generation() {
    return generation;
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) return;
    if (!sink.batch.isEmpty()) {
      try {
        if (sink.insertPending()) {
          sink.consumer.commitSync(sink.batch.offsets());
          sink.batch.clear();
        }
      } catch (KafkaException e) {
        LOG.log(Level.WARNING, "commit before revocation failed; the rows are read again", e);
      }
    }
    dropAndRewind(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) return;
    dropAndRewind(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (sink.paused()) sink.consumer.pause(partitions);
  }

  /** Drops the batch and moves the partitions still assigned, less {@code gone}, to their last commit. */
  void dropAndRewind(Collection<TopicPartition> gone) {
    generation++;
    sink.metrics.rebalanceDrops.increment(sink.batch.rows());
    sink.batch.clear();
    Set<TopicPartition> kept = new HashSet<>(sink.consumer.assignment());
    kept.removeAll(gone);
    seekToCommitted(kept);
  }

  private void seekToCommitted(Set<TopicPartition> partitions) {
    if (partitions.isEmpty()) return;
    Map<TopicPartition, OffsetAndMetadata> committed = sink.consumer.committed(partitions);
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata om = committed.get(tp);
      if (om == null) sink.consumer.seekToBeginning(List.of(tp));
      else sink.consumer.seek(tp, om.offset());
    }
  }
}

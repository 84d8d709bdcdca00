package io.pmaccountstream.bench;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** End offsets of topics and committed offsets of consumer groups, summed over partitions. */
final class Offsets {

  private final Admin admin;

  Offsets(Admin admin) {
    this.admin = admin;
  }

  static Set<TopicPartition> partitions(String topic, int partitions) {
    return IntStream.range(0, partitions)
        .mapToObj(p -> new TopicPartition(topic, p))
        .collect(Collectors.toSet());
  }

  /** The sum of the end offsets; read_committed gives the last stable offsets. */
  long end(Set<TopicPartition> partitions, IsolationLevel isolation) {
    try {
      return admin
          .listOffsets(
              partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())),
              new ListOffsetsOptions(isolation))
          .all()
          .get(30, TimeUnit.SECONDS)
          .values()
          .stream()
          .mapToLong(info -> info.offset())
          .sum();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list end offsets of " + partitions, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The sum of the group's committed offsets on the given partitions (0 where none). */
  long committed(String group, Set<TopicPartition> partitions) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      return partitions.stream().map(offsets::get).mapToLong(o -> o == null ? 0 : o.offset()).sum();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list committed offsets of group " + group, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}

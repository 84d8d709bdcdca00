package io.pmaccountstream.poller;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition an account belongs to: the hash Kafka's default partitioner gives its key (murmur2
 * of the UTF-8 account id, made positive, modulo the partition count). The same function places an
 * account on the snapshot topic (the producer's default partitioner on the account key) and on the
 * poller assignment topic, so an instance knows both which accounts its assigned partitions carry
 * and which snapshot partitions hold their history.
 */
public final class AccountPartitions {

  private AccountPartitions() {}

  /** The partition of {@code accountId} among {@code partitions}. */
  public static int partitionFor(String accountId, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    byte[] key = accountId.getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}

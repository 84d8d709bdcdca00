package io.pmaccountstream.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class AccountPartitionsTest {

  private static final int PINNED_ACCT_1_OF_64 = 62;

  @Property
  void placesAnAccountWhereTheProducersDefaultPartitionerPutsItsKey(
      @ForAll @StringLength(min = 1, max = 64) String accountId,
      @ForAll @IntRange(min = 1, max = 512) int partitions) {
    byte[] key = accountId.getBytes(StandardCharsets.UTF_8);

    assertThat(AccountPartitions.partitionFor(accountId, partitions))
        .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
  }

  @Test
  void isStableAcrossReleases() {
    // Pinned: a change here moves every account of a running group and misplaces the restore.
    for (int i = 1; i <= 100; i++) {
      String id = "acct-" + i;
      assertThat(AccountPartitions.partitionFor(id, 64)).as(id).isEqualTo(pinned(id, 64));
      assertThat(AccountPartitions.partitionFor(id, 6)).as(id).isEqualTo(pinned(id, 6));
    }
    assertThat(AccountPartitions.partitionFor("acct-1", 64)).isEqualTo(PINNED_ACCT_1_OF_64);
  }

  /** Kafka's murmur2 written out (seed 0x9747b28c), independent of the production code path. */
  private static int pinned(String id, int partitions) {
    byte[] data = id.getBytes(StandardCharsets.UTF_8);
    int length = data.length;
    int m = 0x5bd1e995;
    int r = 24;
    int h = 0x9747b28c ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    switch (length % 4) {
      case 3:
        h ^= (data[(length & ~3) + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[(length & ~3) + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[length & ~3] & 0xff;
        h *= m;
      default:
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return (h & 0x7fffffff) % partitions;
  }

  @Test
  void spreadsThirtyAccountsOverManyOfSixtyFourPartitions() {
    Set<Integer> used = new HashSet<>();
    for (int i = 1; i <= 30; i++) {
      used.add(AccountPartitions.partitionFor("acct-" + i, 64));
    }
    assertThat(used.size()).isGreaterThan(20);
  }

  @Test
  void refusesANonPositivePartitionCount() {
    assertThatThrownBy(() -> AccountPartitions.partitionFor("acct-1", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

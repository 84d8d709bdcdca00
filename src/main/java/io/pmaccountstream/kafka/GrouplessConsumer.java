package io.pmaccountstream.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Properties of a consumer that reads by assigning partitions itself, outside any group: {@code
 * group.id} and {@code group.instance.id} removed (a pass-through {@code kafka.group.id} included),
 * so nothing is ever committed and no group coordinator is involved, and auto-commit off.
 */
public final class GrouplessConsumer {

  private GrouplessConsumer() {}

  /**
   * Groupless and {@code read_committed}: aborted transactions are skipped, as the derive topology
   * (exactly_once_v2) skips them and as its own transactional outputs must be read.
   */
  public static Map<String, Object> readCommitted(Map<String, Object> clientProperties) {
    Map<String, Object> props = readAsConfigured(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return props;
  }

  /**
   * Groupless, with the isolation level as configured (Kafka's default {@code read_uncommitted}):
   * for a topic no transaction writes to, read as it is.
   */
  public static Map<String, Object> readAsConfigured(Map<String, Object> clientProperties) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return props;
  }
}

package io.pmaccountstream.streams;

import io.pmaccountstream.config.ConfigField;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds RocksDB's off-heap memory, following Kafka Streams' "bounded memory" recipe
 * (BoundedMemoryRocksDBConfig in the Streams memory-management docs): every store of the process
 * shares one {@link LRUCache} of {@value #MEMORY_MB_KEY} MiB; the memtables are charged to that
 * same cache through one {@link WriteBufferManager} (at most {@link #WRITE_BUFFER_SHARE} of it),
 * and index and filter blocks live in the cache, in its high-priority pool, instead of beside it.
 * So block cache + memtables + index/filters stay within the configured size however many stores
 * and partitions the instance hosts (RocksDB's own iterators and compaction scratch space come on
 * top: see docs/operations.md for the container headroom).
 *
 * <p>Kafka Streams instantiates the setter per store and passes the Streams properties; the size is
 * read from them ({@link #streamsProperties}). The cache and the manager live as long as the JVM:
 * they are shared, so closing one store must not free them.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {

  /** The Streams property (not a Kafka one) carrying the bound to every setter instance. */
  public static final String MEMORY_MB_KEY = "pmas.rocksdb.memory.mb";

  public static final ConfigField<Integer> MEMORY_MB =
      ConfigField.integer(
              "derive.rocksdb.memory.mb",
              "Off-heap memory of all RocksDB state stores of one derive process, in MiB: one"
                  + " shared block cache holding the memtables (half at most) and the index and"
                  + " filter blocks")
          .withDefault("256")
          .validate(mb -> mb >= 16 && mb <= 1 << 20, "between 16 and 1048576");

  /** Share of the cache the memtables may take before RocksDB flushes them. */
  static final double WRITE_BUFFER_SHARE = 0.5;

  /** Share of the cache reserved for index and filter blocks (the high-priority pool). */
  static final double INDEX_FILTER_SHARE = 0.1;

  private static final long MIB = 1024L * 1024L;
  private static final long BLOCK_SIZE = 16 * 1024L;
  private static final int MEMTABLES_PER_STORE = 3;
  private static final long MEMTABLE_SIZE = 16 * MIB;

  /** One cache and manager per configured size (normally one), shared by every store. */
  private static final Map<Long, SharedMemory> SHARED = new ConcurrentHashMap<>();

  record SharedMemory(Cache cache, WriteBufferManager writeBuffers) {}

  /** The Streams properties that install this setter with a bound of {@code memoryMb} MiB. */
  public static Map<String, Object> streamsProperties(int memoryMb) {
    return Map.of(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        BoundedRocksDbConfig.class,
        MEMORY_MB_KEY,
        Integer.toString(memoryMb));
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    SharedMemory shared = shared(boundBytes(configs));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(shared.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    table.setBlockSize(BLOCK_SIZE);
    options.setWriteBufferManager(shared.writeBuffers());
    options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE);
    options.setWriteBufferSize(MEMTABLE_SIZE);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager are shared by every store: never closed per store.
  }

  static long boundBytes(Map<String, Object> configs) {
    Object raw = configs.get(MEMORY_MB_KEY);
    if (raw == null) {
      throw new IllegalStateException(
          MEMORY_MB_KEY
              + " is missing: install the setter with BoundedRocksDbConfig.streamsProperties");
    }
    return Long.parseLong(raw.toString()) * MIB;
  }

  static SharedMemory shared(long bytes) {
    return SHARED.computeIfAbsent(
        bytes,
        size -> {
          Cache cache = new LRUCache(size, -1, false, INDEX_FILTER_SHARE);
          return new SharedMemory(
              cache, new WriteBufferManager((long) (size * WRITE_BUFFER_SHARE), cache));
        });
  }
}

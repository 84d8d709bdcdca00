package io.pmaccountstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

class BoundedRocksDbConfigTest {

  private static final long MIB = 1024L * 1024L;

  @TempDir Path dir;

  @Test
  void storesShareOneCacheThatTheirMemtablesAreChargedTo() throws RocksDBException {
    RocksDB.loadLibrary();
    int boundMb = 16;
    Map<String, Object> configs = new HashMap<>(BoundedRocksDbConfig.streamsProperties(boundMb));
    BoundedRocksDbConfig.SharedMemory shared = BoundedRocksDbConfig.shared(boundMb * MIB);
    long before = shared.cache().getUsage();

    try (Options first = options(configs, "first");
        Options second = options(configs, "second");
        RocksDB one = RocksDB.open(first, dir.resolve("one").toString());
        RocksDB two = RocksDB.open(second, dir.resolve("two").toString())) {
      byte[] value = new byte[1024];
      for (int i = 0; i < 4_000; i++) {
        byte[] key = ("account-" + i).getBytes(StandardCharsets.UTF_8);
        one.put(key, value);
        two.put(key, value);
      }
      long afterWrites = shared.cache().getUsage();
      assertThat(afterWrites)
          .as("memtables of both stores are charged to the shared cache")
          .isGreaterThan(before);
      for (int i = 0; i < 4_000; i++) {
        one.get(("account-" + i).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(shared.cache().getUsage())
          .as("cache usage stays within the bound")
          .isLessThanOrEqualTo(boundMb * MIB);
    }
  }

  @Test
  void theSameBoundGivesTheSameSharedCache() {
    assertThat(BoundedRocksDbConfig.shared(32 * MIB))
        .isSameAs(BoundedRocksDbConfig.shared(32 * MIB));
  }

  @Test
  void aSetterWithoutItsBoundRefusesToGuess() {
    assertThatThrownBy(() -> BoundedRocksDbConfig.boundBytes(Map.of()))
        .hasMessageContaining(BoundedRocksDbConfig.MEMORY_MB_KEY);
  }

  @Test
  void deriveInstallsTheSetterWithTheConfiguredBound() {
    ConfigReader reader =
        new ConfigReader(
            Settings.ofFlags(
                Map.of(
                    "bootstrap.servers", "127.0.0.1:9092",
                    "schema.registry.url", "http://127.0.0.1:8081",
                    "derive.rocksdb.memory.mb", "96")));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    assertThat(reader.problems()).isEmpty();

    StreamsConfig streams = new StreamsConfig(DeriveApp.streamsProperties(settings));

    assertThat(streams.getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(BoundedRocksDbConfig.class);
    assertThat(streams.originals()).containsEntry(BoundedRocksDbConfig.MEMORY_MB_KEY, "96");
    assertThat(BoundedRocksDbConfig.boundBytes(streams.originals())).isEqualTo(96 * MIB);
  }

  @Test
  void theBoundHasASaneRange() {
    ConfigReader reader =
        new ConfigReader(Settings.ofFlags(Map.of("derive.rocksdb.memory.mb", "4")));

    reader.read(BoundedRocksDbConfig.MEMORY_MB);

    assertThat(reader.problems()).singleElement().asString().contains("derive.rocksdb.memory.mb");
  }

  private static Options options(Map<String, Object> configs, String store) {
    Options options = new Options().setCreateIfMissing(true);
    options.setTableFormatConfig(new BlockBasedTableConfig());
    new BoundedRocksDbConfig().setConfig(store, options, configs);
    return options;
  }
}

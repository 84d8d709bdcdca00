package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.config.ConfigReader;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.serde.ConfluentAvroSerde;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import io.pmaccountstream.streams.DeriveApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * What a user would write instead of our topology: a Kafka Streams exactly-once app that decodes
 * each snapshot with the same serde and forwards it to one output topic. It runs with exactly the
 * Kafka Streams settings of the derive app ({@link DeriveApp#streamsProperties}: the same commit
 * interval, threads, producer tuning and error handlers), read from the same configuration file, so
 * that derive / pass-through is what our topology costs beyond Kafka Streams itself.
 *
 * <p>Arguments: the derive configuration file and the output topic. Runs until it is stopped.
 */
public final class PassThroughChild {

  private PassThroughChild() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    String output = args[1];
    ConfigReader reader = new ConfigReader(Settings.load(Optional.of(config), Map.of(), Map.of()));
    DeriveApp.Settings settings = DeriveApp.Settings.from(reader);
    Properties props = DeriveApp.streamsProperties(settings);
    try (HttpSchemaRegistryClient registry = HttpSchemaRegistryClient.from(settings.connection());
        ConfluentAvroSerde<AccountSnapshot> serde =
            new ConfluentAvroSerde<>(registry, AccountSnapshot.class)) {
      serde.configure(Map.of(), false);
      Topology topology = new Topology();
      topology.addSource(
          AutoOffsetReset.earliest(),
          "source",
          Serdes.String().deserializer(),
          serde.deserializer(),
          settings.topology().topics().snapshots());
      topology.addSink("sink", output, Serdes.String().serializer(), serde.serializer(), "source");
      KafkaStreams streams = new KafkaStreams(topology, props);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    streams.close(Duration.ofSeconds(15));
                    stopped.countDown();
                  },
                  "pass-through-stop"));
      streams.start();
      stopped.await();
    }
  }
}

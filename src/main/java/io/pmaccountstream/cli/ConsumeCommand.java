package io.pmaccountstream.cli;

import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.serde.HttpSchemaRegistryClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code consume}: prints a topic as JSON lines, Avro decoded by writer schema. Only wires. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description = {
      "Prints records of a topic as JSON lines: partition, offset, timestamp, key and value.",
      "Confluent-framed Avro is decoded with its writer schema from the registry (decimals as"
          + " exact strings, timestamps ISO-8601); other values print as JSON or text."
    })
public final class ConsumeCommand implements Callable<Integer> {

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to print.")
  String topic;

  @Option(
      names = "--from-beginning",
      description = "Start at the earliest offset (default: only records arriving from now on).")
  boolean fromBeginning;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Long max;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Stop after this long without a new record (500ms, 10s, 2m).")
  String timeout;

  @Mixin ConfigOptions config;
  @Mixin ConnectionOptions connectionOptions;

  /** Every setting of {@code consume}, validated together. */
  record Wiring(KafkaConnection connection, Optional<Duration> idleTimeout) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Wiring wiring = read();
    KafkaConnection connection = wiring.connection();
    Optional<Duration> idleTimeout = wiring.idleTimeout();
    CountDownLatch closed = new CountDownLatch(1);
    try (HttpSchemaRegistryClient registry = HttpSchemaRegistryClient.from(connection);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(ConsoleConsumer.consumerProperties(connection))) {
      ConsoleConsumer console =
          new ConsoleConsumer(consumer, new RecordJsonFormatter(registry), out, System::nanoTime);
      try (ShutdownHook hook =
          ShutdownHook.install(
              "consume-shutdown",
              () -> {
                console.wakeup();
                ShutdownHook.awaitClosed(closed, SHUTDOWN_GRACE);
              })) {
        console.run(
            topic,
            fromBeginning,
            max == null ? OptionalLong.empty() : OptionalLong.of(max),
            idleTimeout);
      } catch (WakeupException e) {
        // stopped by SIGTERM / Ctrl-C: every line printed so far is complete and flushed
      }
      return 0;
    } catch (IllegalArgumentException | KafkaException e) {
      err.println("consume failed: " + e.getMessage());
      return 1;
    } finally {
      closed.countDown();
    }
  }

  Wiring read() {
    Map<String, String> flags = connectionOptions.flags();
    flags.put(ConsoleConsumer.IDLE_TIMEOUT.name(), timeout);
    return config.read(
        flags,
        reader -> {
          if (max != null && max <= 0) {
            reader.problem("--max must be a positive number of records");
          }
          Optional<KafkaConnection> connection = reader.component(KafkaConnection::from);
          Optional<Duration> idle = reader.read(ConsoleConsumer.IDLE_TIMEOUT);
          reader.throwIfProblems();
          return new Wiring(connection.orElseThrow(), idle);
        });
  }
}

package io.pmaccountstream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The direction of imports, read as the pipeline: {@code config} → {@code binance} → {@code poller}
 * (with its publishers) → {@code serde} / {@code kafka} → {@code streams} → {@code replay}, with
 * {@code derivation} as plain Java that both the Streams processor and replay call, and {@code cli}
 * wiring everything. {@code retry} (the backoff) is plain Java that every package may use.
 */
@AnalyzeClasses(
    packages = "io.pmaccountstream",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "io.pmaccountstream.";

  @ArchTest
  static final ArchRule binanceKnowsNoKafka =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "binance..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "org.apache.avro..",
              ROOT + "avro..",
              ROOT + "kafka..",
              ROOT + "serde..",
              ROOT + "poller..",
              ROOT + "derivation..",
              ROOT + "streams..",
              ROOT + "replay..",
              ROOT + "simulator..");

  @ArchTest
  static final ArchRule configIsPlainJava =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "config..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "org.apache.hc..",
              "org.apache.avro..",
              ROOT + "binance..",
              ROOT + "kafka..",
              ROOT + "serde..",
              ROOT + "poller..",
              ROOT + "derivation..",
              ROOT + "streams..",
              ROOT + "replay..",
              ROOT + "simulator..",
              ROOT + "ops..");

  @ArchTest
  static final ArchRule retryIsPlainJava =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "retry..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages("java..", ROOT + "retry..");

  @ArchTest
  static final ArchRule kafkaConnectionSettingsAreOnlyConfiguration =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "kafka..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.hc..",
              "org.apache.avro..",
              ROOT + "binance..",
              ROOT + "serde..",
              ROOT + "poller..",
              ROOT + "derivation..",
              ROOT + "streams..",
              ROOT + "replay..",
              ROOT + "simulator..",
              ROOT + "ops..");

  @ArchTest
  static final ArchRule serdeKnowsNoHttpToBinance =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "serde..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT + "binance..",
              ROOT + "poller..",
              ROOT + "derivation..",
              ROOT + "streams..",
              ROOT + "replay..",
              ROOT + "simulator..",
              ROOT + "ops..");

  @ArchTest
  static final ArchRule derivationKnowsNoKafkaStreams =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "derivation..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "org.apache.hc..",
              ROOT + "binance..",
              ROOT + "kafka..",
              ROOT + "serde..",
              ROOT + "poller..",
              ROOT + "streams..",
              ROOT + "replay..",
              ROOT + "simulator..");

  @ArchTest
  static final ArchRule streamsKnowsNoHttpToBinance =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "streams..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT + "binance..", ROOT + "poller..", ROOT + "replay..", ROOT + "simulator..");

  @ArchTest
  static final ArchRule replayKnowsNoHttpToBinance =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "replay..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ROOT + "binance..", ROOT + "poller..", ROOT + "simulator..");

  @ArchTest
  static final ArchRule simulatorIsIndependentOfOurClient =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "simulator..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT + "binance..",
              ROOT + "kafka..",
              ROOT + "serde..",
              ROOT + "poller..",
              ROOT + "derivation..",
              ROOT + "streams..",
              ROOT + "replay..");

  @ArchTest
  static final ArchRule pollerDoesNotReachDownstream =
      noClasses()
          .that()
          .resideInAnyPackage(ROOT + "binance..", ROOT + "poller..", ROOT + "serde..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ROOT + "streams..", ROOT + "replay..", ROOT + "derivation..");

  @ArchTest
  static final ArchRule nothingImportsCli =
      noClasses()
          .that()
          .resideOutsideOfPackage(ROOT + "cli..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(ROOT + "cli..");
}

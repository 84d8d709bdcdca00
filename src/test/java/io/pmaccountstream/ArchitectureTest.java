package io.pmaccountstream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The direction of imports, as ../STYLE.md draws the pipeline. */
@AnalyzeClasses(
    packages = "io.pmaccountstream",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "io.pmaccountstream.";

  @ArchTest
  static final ArchRule binanceKnowsNothingOfKafka =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "binance..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "org.apache.avro..",
              ROOT + "avro..",
              ROOT + "poller..",
              ROOT + "publish..",
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
              ROOT + "binance..",
              ROOT + "poller..",
              ROOT + "publish..",
              ROOT + "streams..",
              ROOT + "replay..",
              ROOT + "simulator..");

  @ArchTest
  static final ArchRule derivationIsPlainJava =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "derivation..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "org.apache.hc..",
              ROOT + "binance..",
              ROOT + "poller..",
              ROOT + "publish..",
              ROOT + "streams..",
              ROOT + "replay..");

  @ArchTest
  static final ArchRule streamsKnowsNothingOfHttp =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "streams..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.hc..", ROOT + "binance..", ROOT + "poller..", ROOT + "simulator..");

  @ArchTest
  static final ArchRule simulatorIsIndependentOfOurClient =
      noClasses()
          .that()
          .resideInAPackage(ROOT + "simulator..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT + "binance..",
              ROOT + "poller..",
              ROOT + "publish..",
              ROOT + "streams..",
              ROOT + "replay..");

  @ArchTest
  static final ArchRule nothingImportsCli =
      noClasses()
          .that()
          .resideOutsideOfPackage(ROOT + "cli..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(ROOT + "cli..");

  @ArchTest
  static final ArchRule pollerDoesNotReachDownstream =
      noClasses()
          .that()
          .resideInAnyPackage(ROOT + "binance..", ROOT + "poller..", ROOT + "publish..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ROOT + "streams..", ROOT + "replay..");
}

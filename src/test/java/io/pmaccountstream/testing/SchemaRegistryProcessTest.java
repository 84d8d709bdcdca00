package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryProcessTest {

  @Test
  void missingJarIsReportedWithTheCommandThatBuildsIt(@TempDir Path emptyModule) {
    assertThatThrownBy(() -> SchemaRegistryProcess.registryJar(emptyModule))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(emptyModule.resolve("target/quarkus-app/quarkus-run.jar").toString())
        .hasMessageContaining("run mvn verify, which builds tools/schema-registry");
  }

  @Test
  void findsTheFastJarOfTheModule(@TempDir Path module) throws IOException {
    Path jar = module.resolve("target/quarkus-app/quarkus-run.jar");
    Files.createDirectories(jar.getParent());
    Files.createFile(jar);

    assertThat(SchemaRegistryProcess.registryJar(module)).isEqualTo(jar.toAbsolutePath());
  }
}

package io.pmaccountstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpWireLogGuardTest {

  @Test
  void theShippedLogbackConfigurationDeclaresTheGuard() throws IOException {
    try (InputStream in = HttpWireLogGuard.class.getResourceAsStream("/logback.xml")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .contains("<turboFilter class=\"" + HttpWireLogGuard.class.getName() + "\"/>");
    }
  }
}

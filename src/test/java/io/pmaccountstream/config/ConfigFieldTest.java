package io.pmaccountstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFieldTest {

  @Test
  void theParsedDefaultIsWhatAnUnsetFieldReads() {
    ConfigField<Duration> lead = ConfigField.duration("a.lead", "a lead").withDefault("5m");
    ConfigReader reader = new ConfigReader(Settings.ofFlags(Map.of()));

    assertThat(lead.parsedDefault()).isEqualTo(Duration.ofMinutes(5)).isEqualTo(reader.get(lead));
  }

  @Test
  void aFieldWithoutADefaultHasNoParsedDefault() {
    ConfigField<Duration> timeout = ConfigField.duration("a.timeout", "a timeout").required();

    assertThatThrownBy(timeout::parsedDefault)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a.timeout has no default");
  }
}

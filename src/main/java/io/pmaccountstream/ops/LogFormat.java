package io.pmaccountstream.ops;

import io.pmaccountstream.config.ConfigField;
import java.util.List;

/**
 * The log format switch. It is read by logback ({@code logback.xml}) before any command runs, so
 * only the environment ({@code PMAS_LOG_FORMAT}) and the system property ({@code
 * -Dpmas.log.format}) set it, not the config file or flags. It is declared here so that the
 * configuration table documents it and the manifests test accepts the variable.
 */
public final class LogFormat {

  public static final String TEXT = "text";
  public static final String JSON = "json";

  public static final ConfigField<String> FORMAT =
      ConfigField.string(
              "log.format",
              "Log format: text (default) or json, one object per line with the MDC (accountId); "
                  + "environment or -Dpmas.log.format only")
          .withDefault(TEXT)
          .validate(s -> s.equals(TEXT) || s.equals(JSON), "text or json");

  private LogFormat() {}

  public static List<ConfigField<?>> fields() {
    return List.of(FORMAT);
  }
}

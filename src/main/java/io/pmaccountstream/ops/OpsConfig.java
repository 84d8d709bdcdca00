package io.pmaccountstream.ops;

import io.pmaccountstream.config.ConfigException;
import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.ConfigReader;
import java.util.List;
import java.util.Locale;

/**
 * Where the operations endpoint ({@code /metrics}, {@code /health/*}) listens. Loopback by default,
 * so a process started on a laptop exposes nothing; the Kubernetes manifests bind {@code 0.0.0.0}
 * explicitly.
 *
 * @param enabled false when {@code ops.http.port} is {@code -1} or {@code disabled}
 * @param port the TCP port; 0 picks a free one (tests)
 * @param bindAddress the interface address or host name to bind
 */
public record OpsConfig(boolean enabled, int port, String bindAddress) {

  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_BIND = "127.0.0.1";
  private static final String DISABLED = "disabled";

  public static final ConfigField<String> HTTP_PORT =
      ConfigField.string(
              "ops.http.port",
              "Port of the /metrics and /health endpoints; 0 = any free port, -1 or 'disabled' = no endpoint")
          .withDefault(Integer.toString(DEFAULT_PORT))
          .validate(OpsConfig::isPortSetting, "a port 0-65535, -1 or 'disabled'");
  public static final ConfigField<String> HTTP_BIND =
      ConfigField.string(
              "ops.http.bind",
              "Address the endpoint binds; loopback unless set (the k8s manifests set 0.0.0.0)")
          .withDefault(DEFAULT_BIND)
          .validate(s -> !s.isBlank(), "an address or host name");

  /**
   * The endpoint's settings, valid; or a {@link ConfigException} listing every problem the reader
   * has found (read it with {@link ConfigReader#component} to go on listing the other components').
   */
  public static OpsConfig from(ConfigReader reader) {
    ConfigReader.Checkpoint checkpoint = reader.checkpoint();
    String port = reader.get(HTTP_PORT);
    String bind = reader.get(HTTP_BIND);
    checkpoint.throwIfNewProblems();
    if (isDisabled(port)) {
      return new OpsConfig(false, -1, bind.trim());
    }
    return new OpsConfig(true, Integer.parseInt(port.trim()), bind.trim());
  }

  public static List<ConfigField<?>> fields() {
    return List.of(HTTP_PORT, HTTP_BIND);
  }

  /** No endpoint (commands that run briefly, such as replay). */
  public static OpsConfig disabled() {
    return new OpsConfig(false, -1, DEFAULT_BIND);
  }

  /** Loopback on the given port; 0 for any free port. */
  public static OpsConfig loopback(int port) {
    return new OpsConfig(true, port, DEFAULT_BIND);
  }

  private static boolean isPortSetting(String raw) {
    if (isDisabled(raw)) {
      return true;
    }
    try {
      int port = Integer.parseInt(raw.trim());
      return port >= 0 && port <= 65_535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isDisabled(String raw) {
    String s = raw.trim().toLowerCase(Locale.ROOT);
    return s.equals("-1") || s.equals(DISABLED);
  }
}

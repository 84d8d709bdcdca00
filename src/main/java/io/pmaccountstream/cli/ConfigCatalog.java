package io.pmaccountstream.cli;

import io.pmaccountstream.config.ConfigField;
import io.pmaccountstream.config.Settings;
import io.pmaccountstream.kafka.KafkaConnection;
import io.pmaccountstream.kafka.Topics;
import io.pmaccountstream.ops.LogFormat;
import io.pmaccountstream.ops.OpsConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every configuration key the application reads, in one list: the source of the README's
 * configuration table and of the manifests test ({@code KubernetesManifestsTest}), which fails on
 * an environment variable no key declares.
 *
 * <p><b>Every component's {@code fields()} must be added here</b> when the component is wired into
 * a command (binance client, poller, derivation/Streams, replay ...); a key missing here is a key
 * the manifests may not set. Per-account keys ({@code account.<id>.api.key}) are declared once with
 * the {@value #ACCOUNT_ID_PLACEHOLDER} placeholder in {@link #perAccountFields()}; the pass-through
 * keys ({@code kafka.<property>}, any Kafka client property) once in {@link #passThroughFields()}.
 */
public final class ConfigCatalog {

  /** Stands for the account id in per-account key templates: {@code account.<id>.api.key}. */
  public static final String ACCOUNT_ID_PLACEHOLDER = "<id>";

  private static final String ACCOUNT_PREFIX = "account.";
  private static final Pattern PER_ACCOUNT_KEY = Pattern.compile("account\\.([^.]+)\\.(.+)");

  private ConfigCatalog() {}

  /** Every key with a fixed name, grouped by component. */
  public static List<ConfigField<?>> allFields() {
    return Stream.of(
            KafkaConnection.fields(),
            Topics.fields(),
            OpsConfig.fields(),
            LogFormat.fields(),
            io.pmaccountstream.binance.BinanceClientConfig.fields(),
            io.pmaccountstream.binance.userdata.UserDataStreamConfig.fields(),
            io.pmaccountstream.binance.AccountCredentials.fields(),
            io.pmaccountstream.poller.PollerConfig.fields(),
            io.pmaccountstream.poller.PollerGroupConfig.fields(),
            io.pmaccountstream.poller.AdaptiveConfig.fields(),
            io.pmaccountstream.streams.DeriveApp.Settings.fields())
        .flatMap(List::stream)
        .filter(f -> !f.name().contains(ACCOUNT_ID_PLACEHOLDER))
        .distinct()
        .toList();
  }

  /**
   * Per-account key templates, named {@code account.<id>.<suffix>}; the reader renames them per
   * account with {@link ConfigField#renamed}. Empty until the Binance client's fields are added.
   */
  public static List<ConfigField<?>> perAccountFields() {
    return io.pmaccountstream.binance.AccountCredentials.fields().stream()
        .filter(f -> f.name().contains(ACCOUNT_ID_PLACEHOLDER))
        .toList();
  }

  /**
   * Pass-through key templates: {@code kafka.<property>} stands for every key with the prefix
   * {@link KafkaConnection#CLIENT_PREFIX}, handed to the Kafka clients without it.
   */
  public static List<ConfigField<?>> passThroughFields() {
    return List.of(KafkaConnection.CLIENT_PROPERTY);
  }

  /**
   * Whether the application reads this key (a fixed key, a per-account key of any account, or a
   * pass-through {@code kafka.*} key).
   */
  public static boolean isKnownKey(String key) {
    if (allFields().stream().anyMatch(f -> f.name().equals(key))) {
      return true;
    }
    if (key.startsWith(KafkaConnection.CLIENT_PREFIX)
        && key.length() > KafkaConnection.CLIENT_PREFIX.length()) {
      return true;
    }
    Matcher perAccount = PER_ACCOUNT_KEY.matcher(key);
    return perAccount.matches() && perAccountSuffixes().contains(perAccount.group(2));
  }

  /**
   * The environment variable names ({@code PMAS_...}) the application reads, with the per-account
   * keys expanded for the given account ids.
   */
  public static Set<String> environmentNames(List<String> accountIds) {
    Set<String> names = new LinkedHashSet<>();
    allFields().forEach(f -> names.add(Settings.envName(f.name())));
    for (String id : accountIds) {
      for (ConfigField<?> template : perAccountFields()) {
        names.add(Settings.envName(forAccount(template, id)));
      }
    }
    return names;
  }

  /** The name of a per-account template for one account: {@code account.main.api.key}. */
  public static String forAccount(ConfigField<?> template, String accountId) {
    return template.name().replace(ACCOUNT_ID_PLACEHOLDER, accountId);
  }

  private static Set<String> perAccountSuffixes() {
    List<String> suffixes = new ArrayList<>();
    for (ConfigField<?> template : perAccountFields()) {
      String name = template.name();
      String expectedStart = ACCOUNT_PREFIX + ACCOUNT_ID_PLACEHOLDER + ".";
      if (!name.startsWith(expectedStart)) {
        throw new IllegalStateException(
            "per-account key " + name + " must start with " + expectedStart);
      }
      suffixes.add(name.substring(expectedStart.length()));
    }
    return Set.copyOf(suffixes);
  }
}

package io.pmaccountstream.serde;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde properties read by {@link ConfluentAvroSerializer}, {@link ConfluentAvroDeserializer}
 * and {@link ConfluentAvroSerde} in {@code configure()}. The keys are Confluent's, so one set of
 * client properties works with our classes and with Confluent's {@code KafkaAvroSerializer} /
 * {@code KafkaAvroDeserializer}. Registry location and credentials: {@link
 * SchemaRegistryClientConfig}.
 */
public final class AvroSerdeConfig {

  /** Register the record's schema when it is new (default true); false only looks it up. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /** Confluent's "serialize with the subject's latest schema": not supported, rejected if true. */
  public static final String USE_LATEST_VERSION = "use.latest.version";

  /** Only TopicNameStrategy (the default) is supported. */
  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";

  /** Only TopicNameStrategy (the default) is supported. */
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

  /** Deserialize into the generated class named by the writer schema's full name. */
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

  /** Class name of the SpecificRecord to read keys into (its schema is the reader schema). */
  public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";

  /** Class name of the SpecificRecord to read values into (its schema is the reader schema). */
  public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";

  private static final String TOPIC_NAME_STRATEGY = "TopicNameStrategy";

  private AvroSerdeConfig() {}

  static boolean autoRegister(Map<String, ?> configs) {
    boolean useLatest = bool(configs, USE_LATEST_VERSION, false);
    if (useLatest) {
      throw new ConfigException(
          USE_LATEST_VERSION,
          "true",
          "not supported by this serializer: it always writes with the record's own schema");
    }
    return bool(configs, AUTO_REGISTER_SCHEMAS, true);
  }

  /** Rejects a subject name strategy other than TopicNameStrategy, which is all we implement. */
  static void requireTopicNameStrategy(Map<String, ?> configs, boolean isKey) {
    String key = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
    Object value = configs.get(key);
    if (value == null) {
      return;
    }
    String name = value instanceof Class<?> c ? c.getName() : value.toString().trim();
    if (!name.isEmpty() && !name.endsWith(TOPIC_NAME_STRATEGY)) {
      throw new ConfigException(
          key, name, "only TopicNameStrategy (<topic>-key / <topic>-value) is supported");
    }
  }

  /**
   * The SpecificRecord class to read into: {@value #SPECIFIC_AVRO_VALUE_TYPE} or {@value
   * #SPECIFIC_AVRO_KEY_TYPE}; empty when not set.
   */
  static Optional<Class<? extends SpecificRecord>> specificType(
      Map<String, ?> configs, boolean isKey) {
    String key = isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE;
    Object value = configs.get(key);
    if (value == null || value.toString().isBlank()) {
      return Optional.empty();
    }
    Class<?> type;
    if (value instanceof Class<?> c) {
      type = c;
    } else {
      try {
        type =
            Class.forName(
                value.toString().trim(), true, Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new ConfigException(key, value.toString(), "class not found on the classpath");
      }
    }
    if (!SpecificRecord.class.isAssignableFrom(type)) {
      throw new ConfigException(
          key, type.getName(), "not an Avro SpecificRecord (a class generated from a schema)");
    }
    return Optional.of(type.asSubclass(SpecificRecord.class));
  }

  static boolean specificReader(Map<String, ?> configs) {
    return bool(configs, SPECIFIC_AVRO_READER, false);
  }

  private static boolean bool(Map<String, ?> configs, String key, boolean defaultValue) {
    Object value = configs.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key, value, "expected true or false");
  }
}

package io.pmaccountstream.serde;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.testing.Samples;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The serde as Kafka clients build it from {@code value.serializer=<class name>}: no-arg
 * constructor, then {@code configure()} with Confluent's property names.
 */
class ConfiguredByClassNameTest {

  private static final String TOPIC = "pm.account.snapshots";
  private static final String VERSIONS = "/subjects/" + TOPIC + "-value/versions";

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final Map<String, Object> configs = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    registry.start();
    registry.stubFor(post(urlEqualTo(VERSIONS)).willReturn(okJson("{\"id\":5}")));
    String schemaJson =
        new ObjectMapper()
            .writeValueAsString(Map.of("schema", AccountSnapshot.getClassSchema().toString()));
    registry.stubFor(get(urlEqualTo("/schemas/ids/5")).willReturn(okJson(schemaJson)));
    configs.put("schema.registry.url", "http://127.0.0.1:" + registry.port());
    configs.put("basic.auth.credentials.source", "USER_INFO");
    configs.put("basic.auth.user.info", "alice:secret");
  }

  @AfterEach
  void stop() {
    registry.stop();
  }

  @Test
  void serializerAndDeserializerByClassNameRoundTrip() {
    configs.put("specific.avro.value.type", AccountSnapshot.class.getName());
    Serializer<AccountSnapshot> serializer = newInstance(ConfluentAvroSerializer.class);
    Deserializer<AccountSnapshot> deserializer = newInstance(ConfluentAvroDeserializer.class);
    serializer.configure(configs, false);
    deserializer.configure(configs, false);

    byte[] bytes = serializer.serialize(TOPIC, Samples.snapshot());
    AccountSnapshot read = deserializer.deserialize(TOPIC, bytes);
    serializer.close();
    deserializer.close();

    Samples.assertSameFields(read, Samples.snapshot());
    assertThat(bytes[4]).isEqualTo((byte) 5);
    registry.verify(
        postRequestedFor(urlEqualTo(VERSIONS))
            .withHeader("Authorization", equalTo("Basic YWxpY2U6c2VjcmV0")));
    registry.verify(getRequestedFor(urlEqualTo("/schemas/ids/5")));
  }

  @Test
  void deserializerFindsTheClassByWriterSchemaNameWithSpecificAvroReader() {
    configs.put("specific.avro.reader", "true");
    Serializer<AccountSnapshot> serializer = newInstance(ConfluentAvroSerializer.class);
    Deserializer<AccountSnapshot> deserializer = newInstance(ConfluentAvroDeserializer.class);
    serializer.configure(configs, false);
    deserializer.configure(configs, false);

    AccountSnapshot read =
        deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, Samples.snapshot()));

    Samples.assertSameFields(read, Samples.snapshot());
  }

  @Test
  void serdeByClassNameSharesOneClient() {
    configs.put("specific.avro.value.type", AccountSnapshot.class);
    ConfluentAvroSerde<AccountSnapshot> serde = newInstance(ConfluentAvroSerde.class);
    serde.configure(configs, false);

    AccountSnapshot read =
        serde
            .deserializer()
            .deserialize(TOPIC, serde.serializer().serialize(TOPIC, Samples.snapshot()));
    serde.close();

    Samples.assertSameFields(read, Samples.snapshot());
    registry.verify(0, getRequestedFor(urlEqualTo("/schemas/ids/5")));
  }

  @SuppressWarnings("unchecked")
  private static <T> T newInstance(Class<?> type) {
    return (T) Utils.newInstance(type);
  }
}

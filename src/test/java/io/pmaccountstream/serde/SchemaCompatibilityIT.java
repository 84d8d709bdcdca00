package io.pmaccountstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.serde.SchemaRegistryException.Reason;
import io.pmaccountstream.testing.SchemaRegistryExtension;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What BACKWARD_TRANSITIVE lets through on the real registry. Under it a new schema must be able to
 * read data written with every earlier schema of the subject (history is replayed with the newest
 * reader). So adding a field without a default is rejected (old records lack it), while removing a
 * field is accepted: a new reader simply skips the old field. Rejecting removals would need FORWARD
 * or FULL compatibility, which protects old readers instead.
 */
class SchemaCompatibilityIT {

  @RegisterExtension
  static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();

  private static final Schema V1 = AccountSnapshot.getClassSchema();

  private HttpSchemaRegistryClient client;
  private String subject;

  @BeforeEach
  void backwardTransitiveSubject() {
    client =
        new HttpSchemaRegistryClient(SchemaRegistryClientConfig.of(URI.create(registry.url())));
    subject = "compat-" + UUID.randomUUID() + "-value";
    assertThat(
            SubjectCompatibility.ensure(client, subject, SubjectCompatibility.BACKWARD_TRANSITIVE))
        .isTrue();
    client.register(subject, V1);
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void settingTheLevelIsIdempotent() {
    assertThat(client.compatibility(subject)).hasValue("BACKWARD_TRANSITIVE");
    assertThat(
            SubjectCompatibility.ensure(client, subject, SubjectCompatibility.BACKWARD_TRANSITIVE))
        .isFalse();
  }

  @Test
  void acceptsAnAddedOptionalFieldWithADefault() {
    Schema v2 = withField(V1, optionalDecimal("marginLevel"));

    int v2Id = client.register(subject, v2);

    assertThat(v2Id).isNotEqualTo(client.register(subject, V1));
  }

  @Test
  void rejectsAnAddedRequiredFieldWithoutADefault() {
    Schema v2 = withField(V1, new Schema.Field("region", Schema.create(Schema.Type.STRING)));

    assertThatThrownBy(() -> client.register(subject, v2))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
              assertThat(e.httpStatus()).hasValue(409);
              assertThat(e.isRetriable()).isFalse();
            })
        .hasMessageContaining(subject);
  }

  @Test
  void rejectsAnIncompatibleTypeChangeOfARequiredField() {
    Schema v2 = replacingField(V1, new Schema.Field("sequence", Schema.create(Schema.Type.STRING)));

    assertThatThrownBy(() -> client.register(subject, v2))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA));
  }

  @Test
  void checksAgainstEveryEarlierVersionNotJustTheLatest() {
    // v2 adds an optional field; v3 drops its default. v3 reads v2 data, but not v1 data.
    Schema v2 = withField(V1, optionalDecimal("marginLevel"));
    Schema v3 = withField(V1, withoutDefault(optionalDecimal("marginLevel")));
    client.register(subject, v2);

    assertThatThrownBy(() -> client.register(subject, v3))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA));

    String backwardOnly = "compat-" + UUID.randomUUID() + "-value";
    client.setCompatibility(backwardOnly, "BACKWARD");
    client.register(backwardOnly, V1);
    client.register(backwardOnly, v2);
    assertThat(client.register(backwardOnly, v3))
        .as("plain BACKWARD only compares with the latest version")
        .isPositive();
  }

  @Test
  void acceptsARemovedRequiredFieldBecauseNewReadersSkipIt() {
    Schema v2 = withoutField(V1, "pollerInstanceId");

    int v2Id = client.register(subject, v2);

    assertThat(v2Id).isPositive();
  }

  private static Schema.Field optionalDecimal(String name) {
    Schema decimal =
        org.apache.avro.LogicalTypes.decimal(38, 8).addToSchema(Schema.create(Schema.Type.BYTES));
    return new Schema.Field(
        name,
        Schema.createUnion(Schema.create(Schema.Type.NULL), decimal),
        "added in v2",
        JsonProperties.NULL_VALUE);
  }

  private static Schema.Field withoutDefault(Schema.Field field) {
    return new Schema.Field(field.name(), field.schema(), field.doc(), (Object) null);
  }

  private static Schema withField(Schema schema, Schema.Field added) {
    List<Schema.Field> fields = copyFields(schema);
    fields.add(added);
    return record(schema, fields);
  }

  private static Schema withoutField(Schema schema, String name) {
    List<Schema.Field> fields = copyFields(schema);
    fields.removeIf(f -> f.name().equals(name));
    return record(schema, fields);
  }

  private static Schema replacingField(Schema schema, Schema.Field replacement) {
    List<Schema.Field> fields = copyFields(schema);
    fields.replaceAll(f -> f.name().equals(replacement.name()) ? replacement : f);
    return record(schema, fields);
  }

  private static List<Schema.Field> copyFields(Schema schema) {
    List<Schema.Field> fields = new ArrayList<>();
    schema.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    return fields;
  }

  private static Schema record(Schema like, List<Schema.Field> fields) {
    return Schema.createRecord(like.getName(), like.getDoc(), like.getNamespace(), false, fields);
  }
}

package io.pmaccountstream.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's framing of a schema'd record: magic byte {@code 0}, the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding of the record. Subjects follow TopicNameStrategy:
 * {@code <topic>-key} and {@code <topic>-value}.
 */
public final class ConfluentWireFormat {

  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private ConfluentWireFormat() {}

  /** TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  public static String valueSubject(String topic) {
    return subject(topic, false);
  }

  /** The 5-byte header for a schema id. */
  static byte[] header(int schemaId) {
    return new byte[] {
      MAGIC_BYTE,
      (byte) (schemaId >>> 24),
      (byte) (schemaId >>> 16),
      (byte) (schemaId >>> 8),
      (byte) schemaId
    };
  }

  /** True when the bytes start like a Confluent-framed record (magic byte and room for an id). */
  public static boolean isFramed(byte[] bytes, int offset, int length) {
    return length >= HEADER_SIZE && bytes[offset] == MAGIC_BYTE;
  }

  /**
   * The schema id of a framed record.
   *
   * @throws SerializationException when the bytes are not in Confluent framing
   */
  public static int schemaId(String topic, byte[] bytes, int offset, int length) {
    if (length < HEADER_SIZE) {
      throw new SerializationException(
          "Record on topic "
              + topic
              + " is not in Confluent wire format: "
              + length
              + " byte(s), fewer than the 5-byte header (magic byte 0 + schema id)");
    }
    if (bytes[offset] != MAGIC_BYTE) {
      int first = bytes[offset] & 0xff;
      throw new SerializationException(
          String.format(
              "Record on topic %s is not in Confluent wire format: first byte 0x%02x%s, expected"
                  + " magic byte 0x00 (was it written by another serializer, e.g. as JSON?)",
              topic, first, first >= 0x20 && first < 0x7f ? " ('" + (char) first + "')" : ""));
    }
    return ((bytes[offset + 1] & 0xff) << 24)
        | ((bytes[offset + 2] & 0xff) << 16)
        | ((bytes[offset + 3] & 0xff) << 8)
        | (bytes[offset + 4] & 0xff);
  }
}

package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * Replay's decoder of the snapshots written with the current {@link AccountSnapshot} schema: it
 * reads the Avro binary straight into an {@link AccountSnapshot} and leaves out the fields that
 * neither the derivation nor replay's outputs read ({@link #UNREAD}: four decimals and the poller
 * instance id, skipped without allocating), which makes a replayed snapshot cost about half the
 * allocation and time of the full decode.
 *
 * <p><b>Same answers as the full decode.</b> Every value it keeps is the one Avro's reader with the
 * class schema gives ({@code equals}: decimals with the same unscaled value and scale, {@link
 * Instant}s from the same millis, the enum by its index in the same symbols); the unread fields are
 * left null (0 for primitives). It is only used for a writer schema with the class schema's parsing
 * canonical form (the same binary layout field by field), and it never accepts bytes that the full
 * decode rejects: the skipped fields are read with the same length and limit checks into reused
 * buffers, and the end of the payload must be reached exactly. When it cannot decode (malformed
 * bytes), {@link #decode} says so with an empty answer and the caller decodes the record the full
 * way, whose error is the one the live topology dead-letters.
 *
 * <p>Not thread-safe (one per decoding thread): it reuses its decoder and buffers.
 */
final class DerivationFieldsDecoder {

  /** The fields of {@link AccountSnapshot} that the derivation and replay's outputs never read. */
  static final Set<String> UNREAD =
      Set.of(
          "actualEquity",
          "accountInitialMargin",
          "virtualMaxWithdrawAmount",
          "totalAvailableBalance",
          "totalMarginOpenLoss",
          "pollerInstanceId");

  private static final Schema CLASS_SCHEMA = AccountSnapshot.getClassSchema();
  private static final long CLASS_FINGERPRINT =
      SchemaNormalization.parsingFingerprint64(CLASS_SCHEMA);
  private static final Optional<List<Field>> LAYOUT = layout(CLASS_SCHEMA);

  /** What {@link #read} answers for a value the full decode rejects. */
  private static final Object MALFORMED = new Object();

  private enum Kind {
    STRING,
    INT,
    LONG,
    TIMESTAMP_MILLIS,
    DECIMAL,
    ENUM
  }

  /** How one field of the class schema is read: its kind, whether it may be null, kept or not. */
  private record Field(int position, Kind kind, boolean nullable, int scale, Object[] symbols) {}

  private final List<Field> fields;
  private BinaryDecoder decoder;
  private ByteBuffer bytes;
  private Utf8 text = new Utf8();

  private DerivationFieldsDecoder(List<Field> fields) {
    this.fields = fields;
  }

  /**
   * A decoder for the current class schema; empty when the class schema has a field of a kind this
   * decoder does not read (then replay decodes everything the full way).
   */
  static Optional<DerivationFieldsDecoder> create() {
    return LAYOUT.map(DerivationFieldsDecoder::new);
  }

  /** Whether bytes written with {@code writer} have the layout this decoder reads. */
  static boolean reads(Schema writer) {
    return SchemaNormalization.parsingFingerprint64(writer) == CLASS_FINGERPRINT;
  }

  /**
   * The snapshot in {@code length} bytes of Avro binary at {@code offset}, written with a schema
   * {@link #reads} accepts; empty when the bytes are malformed.
   */
  Optional<AccountSnapshot> decode(byte[] value, int offset, int length) {
    decoder = DecoderFactory.get().binaryDecoder(value, offset, length, decoder);
    AccountSnapshot snapshot = new AccountSnapshot();
    try {
      for (int i = 0, n = fields.size(); i < n; i++) {
        Field field = fields.get(i);
        if (field.nullable()) {
          int branch = decoder.readIndex();
          if (branch == 0) {
            continue; // null, the field's value in a new snapshot
          }
          if (branch != 1) {
            return Optional.empty();
          }
        }
        Object read = read(field);
        if (read == MALFORMED) {
          return Optional.empty();
        }
        if (read != null) {
          snapshot.put(field.position(), read);
        }
      }
      if (!decoder.isEnd()) {
        return Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // malformed: the full decode says how
    }
    return Optional.of(snapshot);
  }

  /** The field's value, null for a skipped one, {@link #MALFORMED} when it cannot be decoded. */
  private Object read(Field field) throws IOException {
    boolean skip = field.position() < 0;
    return switch (field.kind()) {
      case STRING -> {
        if (skip) {
          text = decoder.readString(text); // the full read's length checks, into a reused buffer
          yield null;
        }
        yield decoder.readString();
      }
      case INT -> {
        int value = decoder.readInt();
        yield skip ? null : value;
      }
      case LONG -> {
        long value = decoder.readLong();
        yield skip ? null : value;
      }
      case TIMESTAMP_MILLIS -> {
        long millis = decoder.readLong();
        yield skip ? null : Instant.ofEpochMilli(millis);
      }
      case ENUM -> {
        int index = decoder.readEnum();
        if (index < 0 || index >= field.symbols().length) {
          yield MALFORMED;
        }
        yield skip ? null : field.symbols()[index];
      }
      case DECIMAL -> {
        bytes = decoder.readBytes(bytes); // the full read's length checks, into a reused buffer
        if (bytes.remaining() == 0) {
          yield MALFORMED; // Avro's conversion rejects an empty unscaled value
        }
        yield skip ? null : decimal(bytes, field.scale());
      }
    };
  }

  /** The value Avro's decimal conversion gives, from a {@code long} when it fits 8 bytes. */
  private static BigDecimal decimal(ByteBuffer value, int scale) {
    int length = value.remaining();
    int position = value.position();
    if (length > Long.BYTES) {
      byte[] copy = new byte[length];
      value.duplicate().get(copy);
      return new BigDecimal(new BigInteger(copy), scale);
    }
    long unscaled = value.get(position); // sign-extends the first byte: two's complement
    for (int i = 1; i < length; i++) {
      unscaled = (unscaled << 8) | (value.get(position + i) & 0xFF);
    }
    return BigDecimal.valueOf(unscaled, scale);
  }

  /**
   * How to read each field of {@code schema}, in order (a kept field carries its position, a
   * skipped one position -1); empty when a field is of a kind not handled here.
   */
  private static Optional<List<Field>> layout(Schema schema) {
    List<Field> layout = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      Schema type = f.schema();
      boolean nullable = false;
      if (type.getType() == Schema.Type.UNION) {
        List<Schema> branches = type.getTypes();
        if (branches.size() != 2 || branches.get(0).getType() != Schema.Type.NULL) {
          return Optional.empty();
        }
        nullable = true;
        type = branches.get(1);
      }
      Optional<Kind> kind = kind(type);
      if (kind.isEmpty()) {
        return Optional.empty();
      }
      int position = UNREAD.contains(f.name()) ? -1 : f.pos();
      int scale =
          kind.get() == Kind.DECIMAL
              ? ((LogicalTypes.Decimal) type.getLogicalType()).getScale()
              : -1;
      Object[] symbols = null;
      if (kind.get() == Kind.ENUM) {
        Class<?> enumClass = SpecificData.get().getClass(type);
        if (enumClass == null || !enumClass.isEnum()) {
          return Optional.empty();
        }
        symbols = enumClass.getEnumConstants();
        List<String> names = new ArrayList<>();
        for (Object symbol : symbols) {
          names.add(((Enum<?>) symbol).name());
        }
        if (!names.equals(type.getEnumSymbols())) {
          return Optional.empty();
        }
      }
      layout.add(new Field(position, kind.get(), nullable, scale, symbols));
    }
    return Optional.of(List.copyOf(layout));
  }

  private static Optional<Kind> kind(Schema type) {
    LogicalType logical = type.getLogicalType();
    return switch (type.getType()) {
      case STRING -> Optional.of(Kind.STRING);
      case INT -> logical == null ? Optional.of(Kind.INT) : Optional.empty();
      case LONG -> {
        if (logical == null) {
          yield Optional.of(Kind.LONG);
        }
        yield logical instanceof LogicalTypes.TimestampMillis
            ? Optional.of(Kind.TIMESTAMP_MILLIS)
            : Optional.empty();
      }
      case BYTES ->
          logical instanceof LogicalTypes.Decimal ? Optional.of(Kind.DECIMAL) : Optional.empty();
      case ENUM -> Optional.of(Kind.ENUM);
      default -> Optional.empty();
    };
  }
}

package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountSnapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder for unit tests: a value is the 4-byte index of a snapshot registered here; a value
 * starting with 'X' is a bad record of the kind and detail that follow.
 */
final class FakeDecoder implements SnapshotDecoder {

  private final List<AccountSnapshot> snapshots = new ArrayList<>();
  int decoded;

  byte[] encode(AccountSnapshot snapshot) {
    snapshots.add(snapshot);
    return ByteBuffer.allocate(4).putInt(snapshots.size() - 1).array();
  }

  /** A bad record value: the decoder throws a {@link BadRecordException} of this kind. */
  static byte[] bad(String kind, String detail) {
    return ("X" + kind + "|" + detail).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public AccountSnapshot decode(String topic, byte[] value) {
    if (value.length > 0 && value[0] == 'X') {
      String[] parts =
          new String(value, 1, value.length - 1, java.nio.charset.StandardCharsets.UTF_8)
              .split("\\|", 2);
      throw new BadRecordException(parts[0], parts[1], null);
    }
    decoded++;
    return snapshots.get(ByteBuffer.wrap(value).getInt());
  }
}

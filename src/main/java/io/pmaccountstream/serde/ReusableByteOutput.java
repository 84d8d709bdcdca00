package io.pmaccountstream.serde;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * An unsynchronized, growable in-memory output that a thread reuses record after record, so that
 * encoding allocates only the final byte array ({@link java.io.ByteArrayOutputStream} locks on
 * every write).
 */
final class ReusableByteOutput extends OutputStream {

  private static final int MAX_RETAINED = 1 << 20;

  private byte[] buffer = new byte[512];
  private int count;

  void reset() {
    count = 0;
    if (buffer.length > MAX_RETAINED) {
      buffer = new byte[512];
    }
  }

  @Override
  public void write(int b) {
    ensure(1);
    buffer[count++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    ensure(length);
    System.arraycopy(bytes, offset, buffer, count, length);
    count += length;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, count);
  }

  int size() {
    return count;
  }

  private void ensure(int more) {
    if (count + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + more));
    }
  }
}

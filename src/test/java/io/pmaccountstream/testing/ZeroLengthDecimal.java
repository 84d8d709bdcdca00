package io.pmaccountstream.testing;

import io.pmaccountstream.avro.AccountSnapshot;
import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Hostile bytes no serializer writes: a Confluent-framed snapshot whose {@code uniMMR} decimal has
 * a zero-length unscaled value (Avro's decimal conversion throws a NumberFormatException on it).
 */
public final class ZeroLengthDecimal {

  private ZeroLengthDecimal() {}

  /**
   * The snapshot as {@code serialize} writes it, with uniMMR's one unscaled byte cut and its length
   * set to 0. The byte is found as the one that differs between uniMMR 0.00000001 and 0.00000002
   * (unscaled 1 and 2: one byte each), so nothing depends on the schema's field order.
   */
  public static byte[] of(Function<AccountSnapshot, byte[]> serialize, AccountSnapshot snapshot) {
    byte[] one = serialize.apply(withUniMmr(snapshot, "0.00000001"));
    byte[] two = serialize.apply(withUniMmr(snapshot, "0.00000002"));
    if (one.length != two.length) {
      throw new IllegalStateException("the two encodings differ in length");
    }
    int at = -1;
    for (int i = 0; i < one.length; i++) {
      if (one[i] != two[i]) {
        if (at >= 0) {
          throw new IllegalStateException("the two encodings differ in more than one byte");
        }
        at = i;
      }
    }
    if (at < 1 || one[at - 1] != 2) {
      throw new IllegalStateException("no one-byte decimal length (zigzag 2) before byte " + at);
    }
    byte[] hostile = new byte[one.length - 1];
    System.arraycopy(one, 0, hostile, 0, at);
    hostile[at - 1] = 0; // length 0
    System.arraycopy(one, at + 1, hostile, at, one.length - at - 1);
    return hostile;
  }

  private static AccountSnapshot withUniMmr(AccountSnapshot snapshot, String uniMmr) {
    return AccountSnapshot.newBuilder(snapshot).setUniMMR(new BigDecimal(uniMmr)).build();
  }
}

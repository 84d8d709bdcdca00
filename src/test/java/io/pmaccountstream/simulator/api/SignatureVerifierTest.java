package io.pmaccountstream.simulator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.Secret;
import io.pmaccountstream.simulator.scenario.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {

  /** The worked example in Binance's API documentation ("SIGNED endpoint examples"). */
  private static final String DOC_SECRET =
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

  private static final String DOC_PAYLOAD =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  private static final String DOC_SIGNATURE =
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";

  @Test
  void hmacMatchesBinancesDocumentedExample() {
    SignatureVerifier verifier = hmac(DOC_SECRET);

    assertThat(SignatureVerifier.HmacSha256.sign(DOC_SECRET, DOC_PAYLOAD)).isEqualTo(DOC_SIGNATURE);
    assertThat(verifier.verify(DOC_PAYLOAD, DOC_SIGNATURE)).isTrue();
  }

  @Test
  void hmacAcceptsUppercaseHexAsBinanceDoes() {
    assertThat(hmac(DOC_SECRET).verify(DOC_PAYLOAD, DOC_SIGNATURE.toUpperCase())).isTrue();
  }

  @Test
  void hmacRejectsAnotherPayloadSecretOrGarbage() {
    assertThat(hmac(DOC_SECRET).verify(DOC_PAYLOAD + "&x=1", DOC_SIGNATURE)).isFalse();
    assertThat(hmac("other").verify(DOC_PAYLOAD, DOC_SIGNATURE)).isFalse();
    assertThat(hmac(DOC_SECRET).verify(DOC_PAYLOAD, "not hex")).isFalse();
    assertThat(hmac(DOC_SECRET).verify(DOC_PAYLOAD, "")).isFalse();
  }

  @Test
  void rsaVerifiesSha256WithRsaInBase64() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    SignatureVerifier verifier = SignatureVerifier.of(Credentials.publicKey("k", pair.getPublic()));
    String signature = sign("SHA256withRSA", pair, "timestamp=1700000000000");

    assertThat(verifier.verify("timestamp=1700000000000", signature)).isTrue();
    assertThat(verifier.verify("timestamp=1700000000001", signature)).isFalse();
    assertThat(verifier.verify("timestamp=1700000000000", "%%%")).isFalse();
  }

  @Test
  void ed25519VerifiesBase64Signatures() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    SignatureVerifier verifier = SignatureVerifier.of(Credentials.publicKey("k", pair.getPublic()));
    String signature = sign("Ed25519", pair, "recvWindow=5000&timestamp=1700000000000");

    assertThat(verifier.verify("recvWindow=5000&timestamp=1700000000000", signature)).isTrue();
    assertThat(verifier.verify("recvWindow=5001&timestamp=1700000000000", signature)).isFalse();
    assertThat(verifier.verify("recvWindow=5000&timestamp=1700000000000", "AAAA")).isFalse();
  }

  @Test
  void aSignatureFromAnotherKeyPairIsRejected() throws Exception {
    KeyPair mine = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    KeyPair theirs = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    SignatureVerifier verifier = SignatureVerifier.of(Credentials.publicKey("k", mine.getPublic()));

    assertThat(verifier.verify("timestamp=1", sign("Ed25519", theirs, "timestamp=1"))).isFalse();
  }

  private static SignatureVerifier hmac(String secret) {
    return SignatureVerifier.of(Credentials.hmac("key", Secret.of(secret)));
  }

  static String sign(String algorithm, KeyPair pair, String payload) throws Exception {
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(pair.getPrivate());
    signer.update(payload.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(signer.sign());
  }
}

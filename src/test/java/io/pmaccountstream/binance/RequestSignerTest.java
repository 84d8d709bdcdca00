package io.pmaccountstream.binance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.config.Secret;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RequestSignerTest {

  private static final String DOC_QUERY =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
          + "&recvWindow=5000&timestamp=1499827319559";

  @Test
  void hmacMatchesBinanceDocumentedExample() {
    RequestSigner signer = RequestSigner.fromKeyMaterial(Secret.of(TestKeys.DOC_SECRET));

    assertThat(signer).isInstanceOf(HmacSha256Signer.class);
    assertThat(signer.sign(DOC_QUERY))
        .isEqualTo("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  }

  @Test
  void accountCallIsRecvWindowThenTimestampThenSignatureSignedOverEverythingBefore() {
    SignedRequest request =
        SignedRequest.forAccount(
            URI.create("https://papi.binance.com/"),
            TestKeys.docAccount("alice"),
            Duration.ofSeconds(5),
            Instant.ofEpochMilli(1499827319559L));

    // openssl: echo -n "recvWindow=5000&timestamp=1499827319559" | openssl dgst -sha256 -hmac
    // SECRET
    assertThat(request.query())
        .isEqualTo(
            "recvWindow=5000&timestamp=1499827319559"
                + "&signature=82f4e72e95e63d666b6da651e82a701722ad8a785a169318d91f36f279c55821");
    assertThat(request.uri().toString())
        .startsWith("https://papi.binance.com/papi/v1/account?recvWindow=5000&");
    assertThat(request.headers()).containsEntry("X-MBX-APIKEY", TestKeys.DOC_API_KEY);
  }

  @Test
  void signedRequestPrintsNeitherKeyNorSignature() {
    SignedRequest request =
        SignedRequest.forAccount(
            URI.create("https://papi.binance.com"),
            TestKeys.docAccount("alice"),
            Duration.ofMillis(1500),
            Instant.ofEpochMilli(1499827319559L));

    assertThat(request.toString())
        .contains("recvWindow=1500&timestamp=1499827319559")
        .doesNotContain(request.signature())
        .doesNotContain(TestKeys.DOC_API_KEY);
    assertThat(request.redact("echo " + request.uri() + " key " + TestKeys.DOC_API_KEY))
        .doesNotContain(request.signature())
        .doesNotContain(TestKeys.DOC_API_KEY);
  }

  @Test
  void rsaPemSignsWithSha256WithRsaVerifiedByThePublicKey() throws GeneralSecurityException {
    KeyPair pair = TestKeys.generate("RSA");
    RequestSigner signer = RequestSigner.fromKeyMaterial(Secret.of(TestKeys.pkcs8Pem(pair)));

    String parameter = signer.sign(DOC_QUERY);

    assertThat(signer).isInstanceOf(PrivateKeySigner.class);
    assertThat(((PrivateKeySigner) signer).scheme()).isEqualTo(PrivateKeySigner.Algorithm.RSA);
    assertThat(signer.algorithm()).isEqualTo("RSA-SHA256");
    assertThat(parameter).doesNotContain("+", "/", "=");
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(pair.getPublic());
    verifier.update(DOC_QUERY.getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(decodeParameter(parameter))).isTrue();
  }

  @Test
  void ed25519PemSignsVerifiedByThePublicKey() throws GeneralSecurityException {
    KeyPair pair = TestKeys.generate("Ed25519");
    RequestSigner signer = RequestSigner.fromKeyMaterial(Secret.of(TestKeys.pkcs8Pem(pair)));

    String parameter = signer.sign(DOC_QUERY);

    assertThat(signer).isInstanceOf(PrivateKeySigner.class);
    assertThat(((PrivateKeySigner) signer).scheme()).isEqualTo(PrivateKeySigner.Algorithm.ED25519);
    assertThat(signer.algorithm()).isEqualTo("Ed25519");
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(pair.getPublic());
    verifier.update(DOC_QUERY.getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(decodeParameter(parameter))).isTrue();
  }

  @Test
  void aPrivateKeyOfTheOtherAlgorithmIsRefused() {
    KeyPair ed25519 = TestKeys.generate("Ed25519");

    assertThatThrownBy(
            () -> new PrivateKeySigner(PrivateKeySigner.Algorithm.RSA, ed25519.getPrivate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a key for RSA-SHA256: EdDSA");
  }

  @Test
  void aSignatureByAnotherKeyDoesNotVerify() throws GeneralSecurityException {
    RequestSigner signer =
        RequestSigner.fromKeyMaterial(Secret.of(TestKeys.pkcs8Pem(TestKeys.generate("Ed25519"))));
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(TestKeys.generate("Ed25519").getPublic());
    verifier.update(DOC_QUERY.getBytes(StandardCharsets.UTF_8));

    assertThat(verifier.verify(decodeParameter(signer.sign(DOC_QUERY)))).isFalse();
  }

  @Test
  void signersNeverPrintTheirKey() {
    String pem = TestKeys.pkcs8Pem(TestKeys.generate("RSA"));
    String pemBody = pem.lines().skip(1).findFirst().orElseThrow();

    assertThat(RequestSigner.fromKeyMaterial(Secret.of(TestKeys.DOC_SECRET)).toString())
        .doesNotContain(TestKeys.DOC_SECRET);
    assertThat(RequestSigner.fromKeyMaterial(Secret.of(pem)).toString()).doesNotContain(pemBody);
    assertThat(TestKeys.docAccount("alice").toString())
        .isEqualTo("AccountCredentials[accountId=alice, signer=HMAC-SHA256]");
  }

  @Test
  void pkcs1PemIsRefusedWithHowToConvertIt() {
    String pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----";

    assertThatThrownBy(() -> RequestSigner.fromKeyMaterial(Secret.of(pkcs1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt")
        .hasMessageNotContaining("MIIEow");
  }

  @Test
  void encryptedAndCorruptPemsAreRefusedWithoutShowingThem() {
    String encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJ\n-----END ENCRYPTED PRIVATE KEY-----";
    String corrupt = "-----BEGIN PRIVATE KEY-----\nAAAAc2VjcmV0aXNo\n-----END PRIVATE KEY-----";

    assertThatThrownBy(() -> RequestSigner.fromKeyMaterial(Secret.of(encrypted)))
        .hasMessageContaining("encrypted");
    assertThatThrownBy(() -> RequestSigner.fromKeyMaterial(Secret.of(corrupt)))
        .hasMessageContaining("neither an RSA nor an Ed25519")
        .hasMessageNotContaining("c2VjcmV0aXNo");
  }

  private static byte[] decodeParameter(String parameter) {
    return Base64.getDecoder().decode(URLDecoder.decode(parameter, StandardCharsets.UTF_8));
  }
}

package io.pmaccountstream.simulator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.config.Secret;
import io.pmaccountstream.simulator.http.HttpRequest;
import io.pmaccountstream.simulator.scenario.Credentials;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {

  private static final String KEY = "AliceKey0123456789";
  private static final String SECRET = "alice-secret";
  private static final String RSA_KEY = "RsaKey0123456789";
  private static final long SERVER_TIME = 1_700_000_000_000L;
  private static final KeyPair RSA_PAIR = rsaPair();

  private final Authenticator authenticator =
      new Authenticator(
          Map.of(
              KEY,
              new Authenticator.Key(
                  "alice", SignatureVerifier.of(Credentials.hmac(KEY, Secret.of(SECRET)))),
              RSA_KEY,
              new Authenticator.Key(
                  "rsa",
                  SignatureVerifier.of(Credentials.publicKey(RSA_KEY, RSA_PAIR.getPublic())))));

  @Test
  void acceptsASignedRequestWithinTheDefaultRecvWindow() {
    assertThat(authenticate(KEY, signed("timestamp=" + (SERVER_TIME - 5_000))))
        .isEqualTo(new Authenticator.Accepted("alice"));
  }

  @Test
  void rejectsTimestampOutsideRecvWindow() {
    assertThat(error(KEY, signed("timestamp=" + (SERVER_TIME - 5_001))))
        .isEqualTo(BinanceError.timestampOutsideRecvWindow());
  }

  @Test
  void honoursTheRequestsRecvWindowUpTo60000() {
    assertThat(authenticate(KEY, signed("recvWindow=60000&timestamp=" + (SERVER_TIME - 59_999))))
        .isInstanceOf(Authenticator.Accepted.class);
    assertThat(error(KEY, signed("recvWindow=1000&timestamp=" + (SERVER_TIME - 1_001))).code())
        .isEqualTo(-1021);
  }

  @Test
  void acceptsTimestampsLessThan1000msAheadOfTheServer() {
    assertThat(authenticate(KEY, signed("timestamp=" + (SERVER_TIME + 999))))
        .isInstanceOf(Authenticator.Accepted.class);
    assertThat(error(KEY, signed("timestamp=" + (SERVER_TIME + 1_000))))
        .isEqualTo(BinanceError.timestampAhead());
  }

  @Test
  void rejectsRecvWindowAbove60000() {
    BinanceError error = error(KEY, signed("recvWindow=60001&timestamp=" + SERVER_TIME));

    assertThat(error.code()).isEqualTo(-1131);
    assertThat(error.httpStatus()).isEqualTo(400);
  }

  @Test
  void missingOrMalformedApiKeyIsAFormatError() {
    assertThat(error(null, signed("timestamp=" + SERVER_TIME)))
        .isEqualTo(BinanceError.apiKeyFormatInvalid());
    assertThat(error("has spaces in it", signed("timestamp=" + SERVER_TIME)).code())
        .isEqualTo(-2014);
  }

  @Test
  void unknownApiKeyIsRejectedWith401() {
    BinanceError error = error("SomeoneElse123", signed("timestamp=" + SERVER_TIME));

    assertThat(error.code()).isEqualTo(-2015);
    assertThat(error.httpStatus()).isEqualTo(401);
    assertThat(error.json())
        .isEqualTo("{\"code\":-2015,\"msg\":\"Invalid API-key, IP, or permissions for action.\"}");
  }

  @Test
  void missingTimestampOrSignatureIsAMandatoryParameterError() {
    assertThat(error(KEY, signed("recvWindow=5000")))
        .isEqualTo(BinanceError.mandatoryParameter("timestamp"));
    assertThat(error(KEY, "timestamp=" + SERVER_TIME))
        .isEqualTo(BinanceError.mandatoryParameter("signature"));
  }

  @Test
  void nonNumericTimestampIsAnIllegalCharacterError() {
    assertThat(error(KEY, signed("timestamp=soon")).code()).isEqualTo(-1100);
    assertThat(error(KEY, signed("recvWindow=5s&timestamp=" + SERVER_TIME)).code())
        .isEqualTo(-1100);
  }

  @Test
  void rejectsASignatureOverOtherText() {
    String query = signed("timestamp=" + SERVER_TIME);

    assertThat(error(KEY, query.replace("timestamp=", "timestamp=0")))
        .isEqualTo(BinanceError.invalidSignature());
    assertThat(error(KEY, "recvWindow=6000&" + query)).isEqualTo(BinanceError.invalidSignature());
  }

  @Test
  void signatureMustBeTheLastParameter() {
    String payload = "timestamp=" + SERVER_TIME;
    String signature = SignatureVerifier.HmacSha256.sign(SECRET, payload);

    assertThat(error(KEY, "signature=" + signature + "&" + payload))
        .isEqualTo(BinanceError.invalidSignature());
    assertThat(error(KEY, payload + "&signature=" + signature + "&recvWindow=5000"))
        .isEqualTo(BinanceError.invalidSignature());
  }

  @Test
  void duplicateParametersAreRejected() {
    assertThat(error(KEY, signed("timestamp=" + SERVER_TIME + "&timestamp=" + SERVER_TIME)).code())
        .isEqualTo(-1101);
  }

  @Test
  void rsaSignaturesMustBeUrlEncoded() throws Exception {
    String payload = null;
    String signature = null;
    for (long ts = SERVER_TIME; signature == null || !signature.contains("+"); ts--) {
      payload = "timestamp=" + ts;
      signature = SignatureVerifierTest.sign("SHA256withRSA", RSA_PAIR, payload);
    }
    String encoded = URLEncoder.encode(signature, StandardCharsets.UTF_8);

    assertThat(authenticate(RSA_KEY, payload + "&signature=" + encoded))
        .isEqualTo(new Authenticator.Accepted("rsa"));
    assertThat(error(RSA_KEY, payload + "&signature=" + signature))
        .isEqualTo(BinanceError.invalidSignature());
  }

  private static String signed(String payload) {
    return payload + "&signature=" + SignatureVerifier.HmacSha256.sign(SECRET, payload);
  }

  private Authenticator.Result authenticate(String apiKey, String query) {
    Map<String, String> headers = new HashMap<>();
    if (apiKey != null) {
      headers.put("x-mbx-apikey", apiKey);
    }
    HttpRequest request =
        new HttpRequest("GET", "/papi/v1/account", query, "HTTP/1.1", headers, "127.0.0.1");
    return authenticator.authenticate(request, SERVER_TIME);
  }

  private BinanceError error(String apiKey, String query) {
    Authenticator.Result result = authenticate(apiKey, query);
    assertThat(result).isInstanceOf(Authenticator.Rejected.class);
    return ((Authenticator.Rejected) result).error();
  }

  private static KeyPair rsaPair() {
    try {
      return KeyPairGenerator.getInstance("RSA").generateKeyPair();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

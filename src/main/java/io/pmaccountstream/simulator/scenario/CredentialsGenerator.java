package io.pmaccountstream.simulator.scenario;

import io.pmaccountstream.config.Secret;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.util.Random;

/**
 * Test credentials derived from the seed: the same seed gives the same API keys and HMAC secrets,
 * so a demo's credentials file stays valid across restarts. Keys look like Binance's (64
 * alphanumerics). They protect nothing but a local simulator.
 */
public final class CredentialsGenerator {

  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int KEY_LENGTH = 64;

  private CredentialsGenerator() {}

  public static Credentials generate(String accountId, KeyType type, long seed) {
    String apiKey = randomKey(new Random(Seeds.mix(seed, accountId, "api-key")));
    return switch (type) {
      case HMAC ->
          Credentials.hmac(
              apiKey, Secret.of(randomKey(new Random(Seeds.mix(seed, accountId, "secret")))));
      case RSA, ED25519 -> {
        KeyPair pair = keyPair(type, Seeds.mix(seed, accountId, "key-pair"));
        yield Credentials.keyPair(apiKey, pair.getPublic(), pair.getPrivate());
      }
    };
  }

  /** A 64-character alphanumeric key from the given random stream. */
  public static String randomKey(Random random) {
    StringBuilder key = new StringBuilder(KEY_LENGTH);
    for (int i = 0; i < KEY_LENGTH; i++) {
      key.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
    }
    return key.toString();
  }

  private static KeyPair keyPair(KeyType type, long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      if (type == KeyType.RSA) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, random);
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate " + type + " keys", e);
    }
  }
}

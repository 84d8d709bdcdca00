package io.pmaccountstream.simulator.scenario;

/** The API key kinds Binance documents: HMAC secret, RSA or Ed25519 key pair. */
public enum KeyType {
  HMAC,
  RSA,
  ED25519
}

package io.pmaccountstream.simulator;

import java.time.Duration;

/**
 * The simulator's user-data stream rules: key validity and the connection cut (both on the scenario
 * clock), and the injected drop rate.
 */
record UserDataRules(Duration listenKeyValidity, Duration maxConnectionAge, double dropRate) {

  static final Duration LISTEN_KEY_VALIDITY = Duration.ofMinutes(60);
  static final Duration MAX_CONNECTION_AGE = Duration.ofHours(24);

  UserDataRules {
    if (listenKeyValidity.isNegative() || listenKeyValidity.isZero()) {
      throw new IllegalArgumentException("listenKeyValidity must be positive");
    }
    if (maxConnectionAge.isNegative() || maxConnectionAge.isZero()) {
      throw new IllegalArgumentException("wsMaxConnectionAge must be positive");
    }
    if (!(dropRate >= 0 && dropRate <= 1)) {
      throw new IllegalArgumentException("wsDropRate must be between 0 and 1");
    }
  }
}

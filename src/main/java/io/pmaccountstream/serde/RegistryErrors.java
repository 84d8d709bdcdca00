package io.pmaccountstream.serde;

import io.pmaccountstream.serde.SchemaRegistryException.Reason;

/**
 * Maps a registry's error answer (HTTP status, {@code error_code}) to a {@link Reason}, in one
 * place for every registry product: Confluent, Apicurio ccompat (which answers an incompatible
 * schema with HTTP 409 and {@code error_code} 0), Karapace, Redpanda.
 */
final class RegistryErrors {

  /** The kind of call that failed; the same status means different things for different calls. */
  enum Call {
    REGISTER,
    LOOKUP,
    SCHEMA_BY_ID,
    /** A schema reference of a schema fetched by id. */
    REFERENCE,
    COMPATIBILITY
  }

  static final int INCOMPATIBLE = 409;
  static final int SUBJECT_NOT_FOUND = 40401;
  static final int VERSION_NOT_FOUND = 40402;
  static final int SCHEMA_NOT_FOUND = 40403;
  static final int INVALID_SCHEMA = 42201;
  static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  private RegistryErrors() {}

  static Reason classify(Call call, int httpStatus, int errorCode) {
    if (httpStatus == 401 || httpStatus == 403) {
      return Reason.UNAUTHORIZED;
    }
    if (httpStatus == 409 || errorCode == INCOMPATIBLE) {
      return Reason.INCOMPATIBLE_SCHEMA;
    }
    if (errorCode == INVALID_COMPATIBILITY_LEVEL
        || (httpStatus == 422 && call == Call.COMPATIBILITY)) {
      return Reason.INVALID_COMPATIBILITY_LEVEL;
    }
    if (httpStatus == 422 || errorCode == INVALID_SCHEMA) {
      return Reason.INVALID_SCHEMA;
    }
    if (call == Call.SCHEMA_BY_ID && (httpStatus == 404 || errorCode == SCHEMA_NOT_FOUND)) {
      return Reason.UNKNOWN_SCHEMA_ID;
    }
    if (httpStatus == 404) {
      return Reason.NOT_FOUND;
    }
    return Reason.REGISTRY_ERROR;
  }
}

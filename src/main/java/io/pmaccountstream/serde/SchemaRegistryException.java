package io.pmaccountstream.serde;

import java.util.OptionalInt;

/**
 * A schema registry call failed. {@link #reason()} says what to do about it: {@link
 * Reason#UNREACHABLE} and 5xx answers are transient ({@link #isRetriable()}), the others are not
 * fixed by retrying. Messages carry the registry URL, the HTTP status, the registry's {@code
 * error_code} and message, never a credential.
 */
public final class SchemaRegistryException extends RuntimeException {

  /** What went wrong, independent of which registry product answered. */
  public enum Reason {
    /** No HTTP answer: connection refused, DNS, TLS, connect or response timeout. */
    UNREACHABLE,
    /**
     * The schema breaks the subject's compatibility level (Confluent: HTTP 409 / error_code 409;
     * Apicurio ccompat: HTTP 409 with error_code 0).
     */
    INCOMPATIBLE_SCHEMA,
    /** The registry cannot parse or accept the schema (HTTP 422, error_code 42201). */
    INVALID_SCHEMA,
    /** A compatibility level the registry does not know (HTTP 422, error_code 42203). */
    INVALID_COMPATIBILITY_LEVEL,
    /** No schema with that id (HTTP 404, error_code 40403). */
    UNKNOWN_SCHEMA_ID,
    /** Subject, version or schema under a subject not found (HTTP 404, 40401, 40402). */
    NOT_FOUND,
    /** HTTP 401 or 403: credentials missing, wrong, or without permission. */
    UNAUTHORIZED,
    /** Anything else: 5xx, an unexpected status, or a body that is not the documented JSON. */
    REGISTRY_ERROR
  }

  private final Reason reason;
  private final String url;
  private final int httpStatus;
  private final int errorCode;

  private SchemaRegistryException(
      Reason reason, String url, int httpStatus, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.url = url;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** No HTTP answer from {@code url}. */
  public static SchemaRegistryException unreachable(String action, String url, Throwable cause) {
    String detail = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new SchemaRegistryException(
        Reason.UNREACHABLE,
        url,
        -1,
        -1,
        "Schema registry unreachable at "
            + url
            + " while trying to "
            + action
            + " ("
            + cause.getClass().getSimpleName()
            + detail
            + ")",
        cause);
  }

  /** The registry answered with an error status. */
  public static SchemaRegistryException answered(
      Reason reason,
      String action,
      String url,
      int httpStatus,
      int errorCode,
      String registryMessage) {
    String code = errorCode < 0 ? "" : ", error_code " + errorCode;
    String said =
        registryMessage == null || registryMessage.isBlank() ? "" : ": " + registryMessage;
    return new SchemaRegistryException(
        reason,
        url,
        httpStatus,
        errorCode,
        describe(reason)
            + " while trying to "
            + action
            + " (HTTP "
            + httpStatus
            + code
            + " from "
            + url
            + ")"
            + said,
        null);
  }

  /** A 2xx answer whose body is not what the Confluent API documents. */
  public static SchemaRegistryException malformed(
      String action, String url, int httpStatus, String problem, Throwable cause) {
    return new SchemaRegistryException(
        Reason.REGISTRY_ERROR,
        url,
        httpStatus,
        -1,
        "Schema registry answered HTTP "
            + httpStatus
            + " with an unexpected body while trying to "
            + action
            + " ("
            + url
            + "): "
            + problem,
        cause);
  }

  private static String describe(Reason reason) {
    return switch (reason) {
      case INCOMPATIBLE_SCHEMA ->
          "Schema rejected as incompatible with the subject's compatibility level";
      case INVALID_SCHEMA -> "Schema rejected as invalid";
      case INVALID_COMPATIBILITY_LEVEL -> "Compatibility level rejected";
      case UNKNOWN_SCHEMA_ID -> "Unknown schema id";
      case NOT_FOUND -> "Not found";
      case UNAUTHORIZED -> "Not authorized by the schema registry (check its credentials)";
      case UNREACHABLE -> "Schema registry unreachable";
      case REGISTRY_ERROR -> "Schema registry error";
    };
  }

  public Reason reason() {
    return reason;
  }

  /** The URL called (without credentials). */
  public String url() {
    return url;
  }

  /** The HTTP status, absent when the registry was unreachable. */
  public OptionalInt httpStatus() {
    return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  /** The registry's {@code error_code}, when its answer carried one. */
  public OptionalInt errorCode() {
    return errorCode < 0 ? OptionalInt.empty() : OptionalInt.of(errorCode);
  }

  /** Worth retrying later: the registry did not answer, or answered with a server error (5xx). */
  public boolean isRetriable() {
    return reason == Reason.UNREACHABLE || httpStatus >= 500;
  }
}

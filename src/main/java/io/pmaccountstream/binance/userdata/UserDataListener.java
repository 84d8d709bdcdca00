package io.pmaccountstream.binance.userdata;

/**
 * Receives what the user-data streams carry. Called on the stream's own threads: implementations
 * return quickly and never throw (a throw is caught, counted and logged by the caller, and the
 * stream goes on).
 */
public interface UserDataListener {

  /** A well-formed event of one account's stream. */
  void onEvent(UserDataEvent event);

  /**
   * A frame that is not a well-formed event (bad JSON, a missing or malformed field): kept, never
   * dropped silently.
   *
   * @param rawFrame the frame as received, except that the stream's listen key, should the frame
   *     carry it, is cut to its first characters (the key is a bearer credential)
   * @param reason why it was refused, for the dead letter
   */
  void onMalformed(String accountId, String rawFrame, String reason);
}

package dev.rotor.protocol;

/**
 * One decoded command of a client frame or an API request: {@code uid}, {@code method} and the raw bytes of its
 * {@code params} value, decoded later by {@link Params} once the method is known. Immutable.
 *
 * @param uid    the command's uid, {@code ""} when absent
 * @param method the method exactly as sent (v1 matches method names case-sensitively), {@code ""} when absent
 * @param params the raw {@code params} value, or null when the key was absent
 */
public record Command(String uid, String method, RawJson params) {
}

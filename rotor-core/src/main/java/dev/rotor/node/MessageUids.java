package dev.rotor.node;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates 22-character base62 message uids in the style of NATS NUIDs, as v1 does (client-protocol.md §6.2):
 * a random 12-character prefix, renewed when the sequence wraps, followed by a 10-character sequence that grows by a
 * random increment. Thread-safe: each thread has its own generator state.
 */
final class MessageUids {
    private static final char[] DIGITS =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int PREFIX_LEN = 12;
    private static final int SEQ_LEN = 10;
    private static final long MAX_SEQ = 839299365868340224L; // 62^10
    private static final long MIN_INC = 33;
    private static final long MAX_INC = 333;

    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    String next() {
        return state.get().next();
    }

    /** Per-thread generator state; confined to its thread. */
    private static final class State {
        private final char[] buf = new char[PREFIX_LEN + SEQ_LEN];
        private long seq;
        private long inc;

        State() {
            reset();
        }

        private void reset() {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < PREFIX_LEN; i++) {
                buf[i] = DIGITS[r.nextInt(DIGITS.length)];
            }
            seq = r.nextLong(MAX_SEQ);
            inc = MIN_INC + r.nextLong(MAX_INC - MIN_INC);
        }

        String next() {
            seq += inc;
            if (seq >= MAX_SEQ) {
                reset();
            }
            long l = seq;
            for (int i = PREFIX_LEN + SEQ_LEN - 1; i >= PREFIX_LEN; i--) {
                buf[i] = DIGITS[(int) (l % 62)];
                l /= 62;
            }
            return new String(buf);
        }
    }
}

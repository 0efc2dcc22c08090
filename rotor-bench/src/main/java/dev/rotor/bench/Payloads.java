package dev.rotor.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Pre-encoded request bodies with fixed-width timestamp slots, and the scanner that finds those timestamps in
 * received frames. A body is encoded once; per send only the 19 digit slots are overwritten in a copy, so the
 * generator does no JSON work on the hot path. Immutable; {@link #stamp} returns a fresh array.
 */
final class Payloads {
    /** The marker in front of every timestamp; a frame may carry several (arrays, coalesced pushes). */
    static final byte[] MARKER = "\"ts\":".getBytes(StandardCharsets.US_ASCII);
    static final int DIGITS = 19;
    /**
     * Written timestamps are {@code OFFSET + (nanoTime - ORIGIN)}: always 19 digits with a leading 1, since JSON
     * numbers may not have leading zeros.
     */
    private static final long OFFSET = 1_000_000_000_000_000_000L;
    private static final long ORIGIN = System.nanoTime();
    private static final String SLOT = "1" + "0".repeat(DIGITS - 1);

    private final byte[] template;
    private final int[] slots;

    private Payloads(byte[] template, int[] slots) {
        this.template = template;
        this.slots = slots;
    }

    /**
     * A publish request: one command per channel in {@code channels}, each with data
     * {@code {"ts":<19 digits>,"pad":"x…"}} padded so the data is about {@code dataBytes} long.
     */
    static Payloads publishes(List<String> channels, int dataBytes) {
        StringBuilder sb = new StringBuilder(channels.size() * (dataBytes + 64));
        List<Integer> slots = new ArrayList<>();
        String pad = "x".repeat(Math.max(0, dataBytes - (MARKER.length + DIGITS + 12)));
        sb.append(channels.size() == 1 ? "" : "[");
        for (int i = 0; i < channels.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"method\":\"publish\",\"params\":{\"channel\":\"").append(channels.get(i))
                    .append("\",\"data\":{\"ts\":");
            slots.add(sb.length());
            sb.append(SLOT).append(",\"pad\":\"").append(pad).append("\"}}}");
        }
        sb.append(channels.size() == 1 ? "" : "]");
        return new Payloads(sb.toString().getBytes(StandardCharsets.UTF_8),
                slots.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The body with a constant timestamp, for runs that do not measure delivery latency. */
    byte[] constant() {
        return template.clone();
    }

    /** A copy of the body with every slot set to the {@link System#nanoTime()} value {@code ts}. */
    byte[] stamp(long ts) {
        byte[] out = template.clone();
        long sinceOrigin = ts - ORIGIN;
        if (sinceOrigin < 0 || sinceOrigin >= 8 * OFFSET) {
            throw new IllegalArgumentException("timestamp out of range: " + ts);
        }
        for (int slot : slots) {
            long v = OFFSET + sinceOrigin;
            for (int i = slot + DIGITS - 1; i >= slot; i--) {
                out[i] = (byte) ('0' + (v % 10));
                v /= 10;
            }
        }
        return out;
    }

    int commands() {
        return slots.length;
    }

    /**
     * Calls {@code sink} with every timestamp (as a {@link System#nanoTime()} value) found in the readable bytes of
     * {@code frame} (not consumed).
     *
     * @return how many were found
     */
    static int scan(ByteBuf frame, LongConsumer sink) {
        return scan(frame, frame.readerIndex(), frame.writerIndex(), MARKER, sink);
    }

    /**
     * Like {@link #scan(ByteBuf, LongConsumer)} on {@code frame[from, to)}, with the bytes that precede each
     * timestamp given as {@code marker} (e.g. the JSON-escaped form inside a SockJS {@code a[...]} frame).
     */
    static int scan(ByteBuf frame, int from, int to, byte[] marker, LongConsumer sink) {
        int found = 0;
        int end = to;
        int i = from;
        outer:
        while (i <= end - marker.length - 1) {
            for (int k = 0; k < marker.length; k++) {
                if (frame.getByte(i + k) != marker[k]) {
                    i++;
                    continue outer;
                }
            }
            int j = i + marker.length;
            long v = 0;
            int digits = 0;
            while (j < end) {
                byte b = frame.getByte(j);
                if (b < '0' || b > '9') {
                    break;
                }
                v = v * 10 + (b - '0');
                digits++;
                j++;
            }
            if (digits == DIGITS) {
                sink.accept(v - OFFSET + ORIGIN);
                found++;
            }
            i = j;
        }
        return found;
    }
}

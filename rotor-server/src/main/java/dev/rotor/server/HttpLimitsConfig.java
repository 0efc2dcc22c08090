package dev.rotor.server;

import io.netty.util.internal.PlatformDependent;

/**
 * Beyond v1: the deadlines and size limits of the HTTP layer, which bound what a peer that has not authenticated can
 * make the server hold (docs/security.md, "HTTP"). Immutable; fixed at startup.
 *
 * @param readHeaderTimeout seconds to complete a request head, counted from the connection's opening or, on a
 *                          kept-alive connection, from the first byte of the next request; 0 = none
 * @param idleTimeout       seconds a kept-alive connection may wait for the first byte of its next request; 0 = none
 * @param readBodyTimeout   seconds to receive a request body, counted from the end of its head; 0 = none
 * @param maxHeaderSize     bytes of all header lines of a request head; larger heads get 431
 * @param maxUrlLength      bytes of the request line ({@code GET <url> HTTP/1.1}); longer lines get 414
 * @param maxBodySize       bytes of one request body; larger bodies get 413; 0 = {@link #defaultMaxBodySize()}
 * @param bodyBudget        bytes of request bodies buffered across all connections; 0 = {@link #defaultBodyBudget()}
 */
public record HttpLimitsConfig(int readHeaderTimeout, int idleTimeout, int readBodyTimeout, int maxHeaderSize,
        int maxUrlLength, int maxBodySize, long bodyBudget) {

    public HttpLimitsConfig {
        if (readHeaderTimeout < 0 || idleTimeout < 0 || readBodyTimeout < 0) {
            throw new IllegalArgumentException("timeouts must be 0 (none) or positive");
        }
        if (maxHeaderSize <= 0 || maxUrlLength <= 0 || maxBodySize < 0) {
            throw new IllegalArgumentException("size limits must be positive (the body size may be 0: automatic)");
        }
        if (bodyBudget < 0) {
            throw new IllegalArgumentException("bodyBudget must be 0 (automatic) or positive");
        }
    }

    /** The defaults documented in docs/security.md. */
    public static HttpLimitsConfig defaults() {
        return builder().build();
    }

    /** {@link #maxBodySize} in bytes, with 0 resolved to {@link #defaultMaxBodySize()}. */
    public int effectiveMaxBodySize() {
        return maxBodySize > 0 ? maxBodySize : defaultMaxBodySize();
    }

    /**
     * The smallest of 64 MiB, a sixteenth of the maximum heap and the automatic body budget. Handling a body makes
     * a few heap copies of it (the bytes, the decoded form or text), on every event loop at once, so a body limit
     * fixed at 64 MiB would let a small heap run out while the budget still had room; on a heap of 1 GiB or more it
     * is 64 MiB. At least 64 KiB.
     */
    public static int defaultMaxBodySize() {
        long limit = Math.min(64L << 20, Math.min(Runtime.getRuntime().maxMemory() / 16, defaultBodyBudget()));
        return (int) Math.max(64L << 10, limit);
    }

    /** {@link #bodyBudget} in bytes, with 0 resolved to {@link #defaultBodyBudget()}. */
    public long effectiveBodyBudget() {
        return bodyBudget > 0 ? bodyBudget : defaultBodyBudget();
    }

    /**
     * A quarter of the smaller of the maximum heap and the maximum direct memory (Netty's view, which follows
     * {@code -XX:MaxDirectMemorySize} and {@code io.netty.maxDirectMemory}): bodies are read into direct buffers and
     * copied to the heap when handled, so both must have room. At least 1 MiB.
     */
    public static long defaultBodyBudget() {
        long direct = PlatformDependent.maxDirectMemory();
        long heap = Runtime.getRuntime().maxMemory();
        long smaller = direct > 0 ? Math.min(direct, heap) : heap;
        return Math.max(1L << 20, smaller / 4);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults; not thread-safe. */
    public static final class Builder {
        private int readHeaderTimeout = 10;
        private int idleTimeout = 60;
        private int readBodyTimeout = 60;
        private int maxHeaderSize = 16 * 1024;
        private int maxUrlLength = 8 * 1024;
        private int maxBodySize;
        private long bodyBudget;

        public Builder readHeaderTimeout(int v) { readHeaderTimeout = v; return this; }
        public Builder idleTimeout(int v) { idleTimeout = v; return this; }
        public Builder readBodyTimeout(int v) { readBodyTimeout = v; return this; }
        public Builder maxHeaderSize(int v) { maxHeaderSize = v; return this; }
        public Builder maxUrlLength(int v) { maxUrlLength = v; return this; }
        public Builder maxBodySize(int v) { maxBodySize = v; return this; }
        public Builder bodyBudget(long v) { bodyBudget = v; return this; }

        public HttpLimitsConfig build() {
            return new HttpLimitsConfig(readHeaderTimeout, idleTimeout, readBodyTimeout, maxHeaderSize, maxUrlLength,
                    maxBodySize, bodyBudget);
        }
    }
}

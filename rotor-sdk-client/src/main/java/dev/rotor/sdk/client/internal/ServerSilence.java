package dev.rotor.sdk.client.internal;

/**
 * What one connection knows of its server's pings and silence, for the silence watch ({@code RealRotorClient}): how
 * far apart the server's pings have come, and how long it has sent nothing while the client was ready to read. A
 * server that has not pinged twice yet is not judged: its silence says nothing, and one early ping (a proxy's, say,
 * ahead of the server's interval) says too little of how far apart its pings come. Thread-safe: the JDK's receiving thread
 * reports frames and pings, the request for the next frame may come from the callback thread, and the timer reads.
 * Times are {@link System#nanoTime()} values, passed in so that the rules can be tested without waiting.
 */
final class ServerSilence {
    /**
     * When the last frame of any kind (a ping too) arrived, or the client last asked for the next one, whichever came
     * later: a client that holds back its request (callbacks waiting for the application) has not heard silence.
     */
    private volatile long quietSince;
    /** True while the client holds back its request for the next frame. */
    private volatile boolean paused;
    /** The longest gap between two server pings, the first counted from the handshake; 0 until the first ping. */
    private volatile long longestGap;
    /** When the last ping arrived, or the handshake completed. Only touched by the receiving thread. */
    private long lastPing;
    /** True from the second ping on: the silence is watched. */
    private volatile boolean watched;
    /** Pings so far, counted up to two. Only touched by the receiving thread. */
    private int pings;

    ServerSilence(long now) {
        quietSince = now;
        lastPing = now;
    }

    /** The handshake completed. */
    void opened(long now) {
        quietSince = now;
        lastPing = now;
    }

    /** A frame arrived. */
    void heard(long now) {
        quietSince = now;
    }

    /** A ping arrived; true for the second one, from which on the silence is watched. */
    boolean pinged(long now) {
        heard(now);
        longestGap = Math.max(longestGap, Math.max(1, now - lastPing));
        lastPing = now;
        if (pings < 2 && ++pings == 2) {
            watched = true;
            return true;
        }
        return false;
    }

    /** The client holds back its request for the next frame until {@link #reading}. */
    void pausing() {
        paused = true;
    }

    /** The client asks for the next frame: the silence counts from now. */
    void reading(long now) {
        quietSince = now;
        paused = false;
    }

    /** The longest gap between two pings so far; 0 before the first. */
    long longestGap() {
        return longestGap;
    }

    /** How long the server may be silent: twice the longest gap between its pings, and at least {@code minimum}. */
    long limit(long minimum) {
        return Math.max(2 * longestGap, minimum);
    }

    /**
     * How long the server has been silent while the client was ready to read; 0 while it is paused and before the
     * second ping.
     */
    long silence(long now) {
        return paused || !watched ? 0 : now - quietSince;
    }
}

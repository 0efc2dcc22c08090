package dev.rotor.sdk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The silence watch's rules, on given clock values (milliseconds written as nanoseconds ×1,000,000). */
class ServerSilenceTest {
    private static final long MS = 1_000_000;

    @Test
    void aServerThatNeverPingedIsNeverSilent() {
        ServerSilence s = new ServerSilence(0);
        s.opened(0);
        assertThat(s.silence(3_600_000 * MS)).isZero();
        assertThat(s.longestGap()).isZero();
    }

    /** The first gap counts from the handshake; the limit is twice the longest gap, at least the minimum. */
    @Test
    void theLimitIsTwiceTheLongestGapBetweenPingsAndAtLeastTheMinimum() {
        ServerSilence s = new ServerSilence(0);
        s.opened(100 * MS);
        assertThat(s.pinged(350 * MS)).isFalse();
        assertThat(s.pinged(550 * MS)).as("the second ping starts the watch").isTrue();
        assertThat(s.pinged(600 * MS)).isFalse();
        assertThat(s.longestGap()).isEqualTo(250 * MS);
        assertThat(s.limit(300 * MS)).isEqualTo(500 * MS);
        assertThat(s.limit(10_000 * MS)).isEqualTo(10_000 * MS);
        assertThat(s.silence(900 * MS)).isEqualTo(300 * MS);
    }

    /**
     * One ping says too little: one that comes early (a proxy's, ahead of the server's 25 s) would make the limit
     * the minimum, and a healthy connection would be cut before the server's first ping. Watched from the second.
     */
    @Test
    void aServerIsJudgedFromItsSecondPing() {
        ServerSilence s = new ServerSilence(0);
        s.opened(0);
        s.pinged(1_000 * MS);
        assertThat(s.silence(20_000 * MS)).as("after one early ping").isZero();
        s.pinged(26_000 * MS);
        assertThat(s.longestGap()).isEqualTo(25_000 * MS);
        assertThat(s.limit(10_000 * MS)).isEqualTo(50_000 * MS);
        assertThat(s.silence(30_000 * MS)).isEqualTo(4_000 * MS);
    }

    /** Any frame ends the silence, and so does the client asking for the next one after a pause. */
    @Test
    void framesAndRequestsEndTheSilence() {
        ServerSilence s = new ServerSilence(0);
        s.pinged(100 * MS);
        s.pinged(200 * MS);
        s.heard(1_000 * MS);
        assertThat(s.silence(1_100 * MS)).isEqualTo(100 * MS);
        s.reading(2_000 * MS);
        assertThat(s.silence(2_100 * MS)).isEqualTo(100 * MS);
    }

    /** While the client holds back its request (callbacks waiting), the server cannot send: that is no silence. */
    @Test
    void aPausedClientHearsNoSilence() {
        ServerSilence s = new ServerSilence(0);
        s.pinged(100 * MS);
        s.pinged(200 * MS);
        s.pausing();
        assertThat(s.silence(60_000 * MS)).isZero();
        s.reading(60_000 * MS);
        assertThat(s.silence(60_500 * MS)).isEqualTo(500 * MS);
    }
}

package dev.rotor.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server-wide body budget: who waits, who is resumed and in what order, and that nothing leaks. */
class BodyBudgetTest {
    private static final long K = BodyBudget.READ_ESTIMATE;
    private final List<String> resumed = new ArrayList<>();

    private BodyBudget.Holder holder(BodyBudget budget, String name) {
        return budget.holder(Runnable::run, () -> resumed.add(name));
    }

    @Test
    void holdersReadFreelyUnderTheLimit() {
        BodyBudget budget = new BodyBudget(10 * K);
        BodyBudget.Holder a = holder(budget, "a");
        BodyBudget.Holder b = holder(budget, "b");
        assertThat(a.reserve(4 * K)).isTrue();
        assertThat(b.reserve(6 * K)).isTrue();
        assertThat(budget.used()).isEqualTo(10 * K);
        assertThat(budget.waiting()).isZero();
    }

    @Test
    void aHolderPastTheLimitWaitsUntilBytesAreReleased() {
        BodyBudget budget = new BodyBudget(10 * K);
        BodyBudget.Holder a = holder(budget, "a");
        BodyBudget.Holder b = holder(budget, "b");
        a.reserve(8 * K);
        assertThat(b.reserve(4 * K)).as("b takes the total past the limit").isFalse();
        assertThat(budget.waiting()).isEqualTo(1);
        assertThat(resumed).isEmpty();
        a.release();
        assertThat(resumed).containsExactly("b");
        assertThat(budget.used()).isEqualTo(4 * K);
        assertThat(budget.waiting()).isZero();
    }

    @Test
    void theOldestHolderNeverWaitsSoEveryonePausedCannotDeadlock() {
        BodyBudget budget = new BodyBudget(4 * K);
        BodyBudget.Holder a = holder(budget, "a");
        BodyBudget.Holder b = holder(budget, "b");
        BodyBudget.Holder c = holder(budget, "c");
        a.reserve(K);
        b.reserve(2 * K);
        assertThat(c.reserve(2 * K)).isFalse();
        assertThat(b.reserve(K)).isFalse();
        // a is the oldest: it goes on past the limit, up to its own body's end
        assertThat(a.reserve(10 * K)).isTrue();
        a.release();
        // b is the oldest now and is resumed whatever the room; c waits for room for one read
        assertThat(resumed).containsExactly("b");
        b.release();
        assertThat(resumed).containsExactly("b", "c");
        c.release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void waitersAreResumedInArrivalOrderAsRoomForAReadEachAllows() {
        BodyBudget budget = new BodyBudget(3 * K);
        BodyBudget.Holder big = holder(budget, "big");
        big.reserve(3 * K);
        List<BodyBudget.Holder> small = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            BodyBudget.Holder h = holder(budget, "s" + i);
            small.add(h);
            assertThat(h.reserve(1)).isFalse();
        }
        big.release();
        // the oldest waiter, then one more per READ_ESTIMATE of room (3K - 4 bytes: two)
        assertThat(resumed).containsExactly("s0", "s1", "s2");
        small.get(0).release();
        assertThat(resumed).containsExactly("s0", "s1", "s2", "s3");
    }

    @Test
    void releaseIsIdempotentAndTheTotalNeverGoesNegative() {
        BodyBudget budget = new BodyBudget(K);
        BodyBudget.Holder a = holder(budget, "a");
        a.reserve(100);
        a.release();
        a.release();
        assertThat(budget.used()).isZero();
        assertThat(a.reserve(0)).isTrue();
        a.release();
        assertThat(budget.used()).isZero();
        assertThat(a.reserved()).isZero();
    }

    @Test
    void aWaiterThatLeavesIsForgotten() {
        BodyBudget budget = new BodyBudget(K);
        BodyBudget.Holder a = holder(budget, "a");
        BodyBudget.Holder b = holder(budget, "b");
        a.reserve(K);
        assertThat(b.reserve(10)).isFalse();
        b.release();
        assertThat(budget.waiting()).isZero();
        a.release();
        assertThat(resumed).isEmpty();
        assertThat(budget.used()).isZero();
    }

    @Test
    void theLimitMustBePositive() {
        assertThatThrownBy(() -> new BodyBudget(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

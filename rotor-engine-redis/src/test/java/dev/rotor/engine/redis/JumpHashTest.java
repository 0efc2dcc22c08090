package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Channel-to-shard mapping against the vectors observed from v1 (redis-engine.md §9). */
class JumpHashTest {

    @Test
    void fnv1a64MatchesTheReferenceValues() {
        // FNV-1a 64 reference values (the empty string is the offset basis).
        assertThat(JumpHash.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(JumpHash.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(JumpHash.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void twoShardsMapChannelsAsV1Does() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        String[] names = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "news", "$x", "user#42"};
        int[] shards = {1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1};
        for (int i = 0; i < names.length; i++) {
            expected.put(names[i], shards[i]);
        }

        Map<String, Integer> actual = new LinkedHashMap<>();
        for (String name : names) {
            actual.put(name, JumpHash.shardOf(name, 2));
        }

        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    @Test
    void oneShardTakesEverything() {
        assertThat(JumpHash.shardOf("anything", 1)).isZero();
    }

    @Test
    void growingTheShardCountMovesOnlySomeChannelsAndOnlyToTheNewShard() {
        int moved = 0;
        for (int i = 0; i < 1000; i++) {
            String ch = "ch" + i;
            int before = JumpHash.shardOf(ch, 3);
            int after = JumpHash.shardOf(ch, 4);
            assertThat(before).isBetween(0, 2);
            if (before != after) {
                assertThat(after).isEqualTo(3);
                moved++;
            }
        }
        // About a quarter moves; a broken hash moves none or nearly all.
        assertThat(moved).isBetween(150, 350);
    }
}

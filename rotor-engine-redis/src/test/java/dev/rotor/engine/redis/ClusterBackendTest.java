package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a cluster master is named in health and metrics: by its slot ranges. */
class ClusterBackendTest {
    @Test
    void slotsAreNamedAsSortedRanges() {
        assertThat(ClusterBackend.ranges(List.of(8, 0, 1, 2, 5, 7))).isEqualTo("0-2,5,7-8");
        assertThat(ClusterBackend.ranges(List.of(16383))).isEqualTo("16383");
        assertThat(ClusterBackend.ranges(List.of())).isEmpty();
    }
}

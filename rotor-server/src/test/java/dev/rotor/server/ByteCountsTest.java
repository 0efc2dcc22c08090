package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteCountsTest {
    @Test
    void smallCountsStayInBytes() {
        assertThat(ByteCounts.describe(0)).isEqualTo("0 bytes");
        assertThat(ByteCounts.describe(1023)).isEqualTo("1023 bytes");
    }

    @Test
    void largerCountsGetTheLargestUnitBelowThem() {
        assertThat(ByteCounts.describe(1024)).isEqualTo("1024 bytes (1.0 KiB)");
        assertThat(ByteCounts.describe(67_108_864)).isEqualTo("67108864 bytes (64 MiB)");
        assertThat(ByteCounts.describe(1_577_451_520L)).isEqualTo("1577451520 bytes (1.5 GiB)");
        assertThat(ByteCounts.describe(Long.MAX_VALUE)).isEqualTo("9223372036854775807 bytes (8.0 EiB)");
    }
}

package dev.rotor.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void anIdIsTheCountThenEachPositionInQueryOrder() {
        assertThat(EventIds.encode(new String[] {"FwJnkEXfbQoAJFuz6YU9hp", null, ""}))
                .isEqualTo("3:FwJnkEXfbQoAJFuz6YU9hp,,");
        assertThat(EventIds.encode(new String[] {null})).isEqualTo("1:");
    }

    @Test
    void positionsGivenThroughTheApiArePercentEncodedAndComeBackIntact() {
        String[] positions = {"a,b:c", "ü é", "line\nbreak\r", "%41"};
        String id = EventIds.encode(positions);
        assertThat(id).doesNotContain("\n", "\r").startsWith("4:a%2Cb%3Ac,");
        assertThat(EventIds.decode(id, 4)).containsExactly(positions);
    }

    @Test
    void anIdThatDoesNotFitTheChannelListIsIgnored() {
        assertThat(EventIds.decode(null, 1)).isNull();
        assertThat(EventIds.decode("", 1)).isNull();
        assertThat(EventIds.decode("m1", 1)).isNull();
        assertThat(EventIds.decode(":m1", 1)).isNull();
        assertThat(EventIds.decode("2:m1,", 1)).isNull();
        assertThat(EventIds.decode("1:m1,m2", 1)).isNull();
        assertThat(EventIds.decode("01:m1", 1)).isNull();
        assertThat(EventIds.decode("1:%zz", 1)).isNull();
        assertThat(EventIds.decode("1:", 1)).isEqualTo(List.of(""));
        assertThat(EventIds.decode("2:,m2", 2)).isEqualTo(List.of("", "m2"));
    }
}

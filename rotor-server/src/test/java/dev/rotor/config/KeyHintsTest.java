package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyHintsTest {
    private static final List<String> KNOWN = List.of("presence", "history_size", "history_lifetime", "port", "name");

    @Test
    void insertionsDeletionsSubstitutionsAndSwapsCostOneEach() {
        assertThat(KeyHints.distance("prescence", "presence")).isEqualTo(1);
        assertThat(KeyHints.distance("presnce", "presence")).isEqualTo(1);
        assertThat(KeyHints.distance("presense", "presence")).isEqualTo(1);
        assertThat(KeyHints.distance("presnece", "presence")).isEqualTo(1);
        assertThat(KeyHints.distance("", "port")).isEqualTo(4);
        assertThat(KeyHints.distance("port", "port")).isZero();
    }

    @Test
    void theClosestKnownKeyWithinReachIsSuggested() {
        assertThat(KeyHints.closest("prescence", KNOWN)).hasValue("presence");
        assertThat(KeyHints.closest("histroy_size", KNOWN)).hasValue("history_size");
        assertThat(KeyHints.closest("history_lifetme", KNOWN)).hasValue("history_lifetime");
        assertThat(KeyHints.closest("prot", KNOWN)).hasValue("port");
    }

    @Test
    void nothingIsSuggestedWhenNoKeyIsClose() {
        assertThat(KeyHints.closest("foo", KNOWN)).isEmpty();
        assertThat(KeyHints.closest("completely_unrelated", KNOWN)).isEmpty();
        assertThat(KeyHints.closest("x".repeat(100_000), KNOWN)).isEmpty(); // and a huge key costs no quadratic work
    }

    @Test
    void theMessageNamesTheKeyThePlaceAndTheHint() {
        assertThat(KeyHints.unknown("unknown key", "prescence", "the config file", KNOWN))
                .isEqualTo("unknown key \"prescence\" in the config file, did you mean \"presence\"?");
        assertThat(KeyHints.unknown("unknown key", "foo", "the config file", KNOWN))
                .isEqualTo("unknown key \"foo\" in the config file");
    }
}

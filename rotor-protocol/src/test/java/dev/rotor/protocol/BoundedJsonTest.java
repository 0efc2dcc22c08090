package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Each of {@link BoundedJson}'s constraints at its bound and one past it. */
class BoundedJsonTest {

    /**
     * Published data is any JSON the publisher sent, and the server forwards it as it is: a track of small points
     * (about 1.5 characters per token) in a message within the bound is legitimate. A bound on tokens below one per
     * character refuses some document that fits the size bound, so there is none.
     */
    @Test
    void denseDataThatFitsTheBoundPasses() throws IOException {
        String points = "[" + "[1,2],".repeat(999) + "[1,2]]";
        String message = "{\"method\":\"message\",\"body\":{\"uid\":\"u1\",\"channel\":\"track\",\"data\":"
                + points + "}}";
        ObjectMapper json = BoundedJson.mapper(message.length());
        assertThat(json.readTree(message).path("body").path("data").size()).isEqualTo(1000);
        assertThat(json.readTree(zeros(message.length() / 2 - 1)).size()).isEqualTo(message.length() / 2 - 1);
    }

    /** Jackson's own bound (20,000,000 characters) would refuse a string that fits the message it came in. */
    @Test
    void oneStringMayFillTheWholeBound() throws IOException {
        int length = 20_000_001;
        assertThat(BoundedJson.mapper(length + 2).readTree(string(length)).textValue()).hasSize(length);
        assertThatThrownBy(() -> new ObjectMapper().readTree(string(length)))
                .satisfies(e -> assertThat(BoundedJson.limitExceeded(e)).startsWith("String value length"));
    }

    /** The deepest info the server accepts (1000 levels) in the deepest answer it comes back in (six more). */
    @Test
    void nestingMayGoAsDeepAsRotorSendsAndNoDeeper() throws IOException {
        ObjectMapper json = BoundedJson.mapper(1 << 20);
        assertThat(BoundedJson.MAX_DEPTH).isEqualTo(1006);
        assertThat(json.readTree(nested(1006))).isNotNull();
        assertThatThrownBy(() -> json.readTree(nested(1007))).satisfies(e -> assertThat(BoundedJson.limitExceeded(e))
                .startsWith("Document nesting depth (1007) exceeds the maximum allowed (1006"));
    }

    @Test
    void numbersMayHaveAThousandCharacters() throws IOException {
        ObjectMapper json = BoundedJson.mapper(1 << 20);
        assertThat(json.readTree("1".repeat(1000)).isNumber()).isTrue();
        assertThatThrownBy(() -> json.readTree("1".repeat(1001))).satisfies(e -> assertThat(BoundedJson.limitExceeded(e))
                .startsWith("Number value length (1001) exceeds the maximum allowed (1000"));
    }

    @Test
    void onlyConstraintRefusalsAreLimits() {
        assertThatThrownBy(() -> BoundedJson.mapper(100).readTree("{oops"))
                .satisfies(e -> assertThat(BoundedJson.limitExceeded(e)).isNull());
        assertThatThrownBy(() -> BoundedJson.mapper(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code [0,0,…]} with {@code n} values. */
    private static String zeros(int n) {
        return "[" + "0,".repeat(n - 1) + "0]";
    }

    /** A JSON string of {@code n} characters, quotes not counted. */
    private static String string(int n) {
        return "\"" + "x".repeat(n) + "\"";
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }
}

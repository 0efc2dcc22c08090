package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The well-formed text rule and where the decoders apply it (docs/security.md, "Unicode"). */
class Utf16Test {
    /** JSON string bodies, as escapes, that decode to text that is not well-formed UTF-16. */
    private static final List<String> ILL_FORMED_ESCAPES = List.of(
            "pub:\\ud800", "\\udc00", "a\\udbff", "\\udfff\\ud800", "\\ud800\\ud800", "x\\ud83dy");

    @Test
    void onlyPairedSurrogatesAreWellFormed() {
        assertThat(Utf16.isWellFormed("")).isTrue();
        assertThat(Utf16.isWellFormed("pub:?")).isTrue();
        assertThat(Utf16.isWellFormed("pub:\ufffd\u00e9")).isTrue();
        assertThat(Utf16.isWellFormed("\ud83d\ude00")).isTrue();
        assertThat(Utf16.isWellFormed("a\ud83d\ude00b\udbff\udfff")).isTrue();
        assertThat(Utf16.isWellFormed("pub:\ud800")).isFalse();
        assertThat(Utf16.isWellFormed("\udc00")).isFalse();
        assertThat(Utf16.isWellFormed("\ude00\ud83d")).isFalse(); // a pair in the wrong order
        assertThat(Utf16.isWellFormed("\ud83d\ud83d\ude00")).isFalse();
        assertThat(Utf16.isWellFormed("\ud83d\ude00\ude00")).isFalse();
    }

    @Test
    void strictUtf8NeverSubstitutes() {
        assertThat(Utf16.utf8("pub:\ud83d\ude00")).isEqualTo("pub:\ud83d\ude00".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Utf16.utf8("pub:\ud800")).isInstanceOf(IllegalArgumentException.class);
        // what the lenient encoder does, and why it must not be used for names
        assertThat(new String("pub:\ud800".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("pub:?");
    }

    @Test
    void everyStringParamThatIsNotWellFormedIsInvalidMessage() {
        for (String bad : ILL_FORMED_ESCAPES) {
            assertIllFormed(() -> Params.subscribe(raw("{\"channel\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.channelOnly(raw("{\"channel\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.publish(raw("{\"channel\":\"" + bad + "\",\"data\":1}")));
            assertIllFormed(() -> Params.connect(raw("{\"user\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.connect(raw("{\"info\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.subscribe(raw("{\"channel\":\"c\",\"client\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.apiPublish(raw("{\"channel\":\"c\",\"data\":1,\"uid\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.apiBroadcast(raw("{\"channels\":[\"a\",\"" + bad + "\"],\"data\":1}")));
            assertIllFormed(() -> Params.apiUnsubscribe(raw("{\"user\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.apiDisconnect(raw("{\"user\":\"" + bad + "\"}")));
            assertIllFormed(() -> Params.tokenClaims(raw("{\"sub\":\"" + bad + "\"}")));
        }
    }

    @Test
    void aSurrogateEncodedDirectlyInUtf8IsRefusedToo() {
        // ED A0 80 is U+D800 written as UTF-8 (CESU style): not valid UTF-8, and a lone surrogate once decoded
        byte[] json = {'{', '"', 'c', 'h', 'a', 'n', 'n', 'e', 'l', '"', ':', '"', 'p', (byte) 0xED, (byte) 0xA0,
            (byte) 0x80, '"', '}'};
        assertThatThrownBy(() -> Params.channelOnly(RawJson.wrap(json))).isInstanceOfSatisfying(
                ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE));
    }

    @Test
    void wellFormedTextOutsideTheBmpIsKept() {
        assertThat(Params.channelOnly(raw("{\"channel\":\"pub:\\ud83d\\ude00\"}")).channel())
                .isEqualTo("pub:\ud83d\ude00");
        assertThat(Params.channelOnly(RawJson.of("{\"channel\":\"pub:\ud83d\ude00\"}")).channel())
                .isEqualTo("pub:\ud83d\ude00");
        // data is raw JSON passed on byte for byte, never a name: an escaped lone surrogate in it is left alone
        assertThat(Params.publish(raw("{\"channel\":\"c\",\"data\":\"\\ud800\"}")).data().toString())
                .isEqualTo("\"\\ud800\"");
    }

    @Test
    void anIllFormedUidOrMethodMakesTheFrameInvalid() {
        for (String frame : new String[] {"{\"uid\":\"\\ud800\",\"method\":\"ping\"}",
            "[{\"method\":\"ping\"},{\"method\":\"p\\udc00\"}]"}) {
            assertThatThrownBy(() -> CommandDecoder.decode(frame.getBytes(StandardCharsets.UTF_8), false))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE));
        }
    }

    private static RawJson raw(String json) {
        return RawJson.of(json);
    }

    private static void assertIllFormed(Runnable decode) {
        assertThatThrownBy(decode::run).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE);
            assertThat(e.isIllFormedText()).isTrue();
        });
    }
}

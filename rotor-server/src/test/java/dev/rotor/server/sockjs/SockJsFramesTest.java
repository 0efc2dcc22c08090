package dev.rotor.server.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SockJS framing and the escaping SockJS 0.3.3 requires of servers. */
class SockJsFramesTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void severalProtocolFramesBecomeOneArrayFrame() {
        assertThat(SockJsFrames.messages(List.of(utf8("{\"a\":\"x\\\"y\"}"), utf8("[1,2]"))))
                .isEqualTo("a[\"{\\\"a\\\":\\\"x\\\\\\\"y\\\"}\",\"[1,2]\"]");
    }

    @Test
    void closeFrameQuotesTheReason() {
        assertThat(SockJsFrames.close(3000, "{\"reason\":\"slow\",\"reconnect\":false}"))
                .isEqualTo("c[3000,\"{\\\"reason\\\":\\\"slow\\\",\\\"reconnect\\\":false}\"]");
        assertThat(SockJsFrames.ANOTHER_CONNECTION).isEqualTo("c[2010,\"Another connection still open\"]");
    }

    @Test
    void escapesExactlyTheRangesTheProtocolNames() {
        StringBuilder expected = new StringBuilder("\"");
        StringBuilder input = new StringBuilder();
        // every character from 0xff up that sockjs-protocol-0.3.3's escapable_by_server matches, plus surrogates
        for (int c = 0xff; c <= 0xffff; c++) {
            boolean listed = (c >= 0x200c && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f)
                    || (c >= 0x2060 && c <= 0x206f) || c >= 0xfff0 || (c >= 0xd800 && c <= 0xdfff);
            assertThat(SockJsFrames.mustEscape((char) c)).as("U+%04X", c).isEqualTo(listed);
            if (listed && (c < 0xd800 || c > 0xdfff)) {
                input.append((char) c);
                expected.append(String.format("\\u%04x", c));
            }
        }
        assertThat(SockJsFrames.quote(input.toString())).isEqualTo(expected.append('"').toString());
        assertThat(SockJsFrames.quote("\u0000\u001f\n\t\"\\<é😀"))
                .isEqualTo("\"\\u0000\\u001f\\n\\t\\\"\\\\\\u003cé\\ud83d\\ude00\"");
        assertThat(SockJsFrames.quote("</script>&")).isEqualTo("\"\\u003c/script\\u003e\\u0026\"");
    }

    @Test
    void decodesArraysOfStringsAndSingleStringsForWebSocket() throws Exception {
        assertThat(SockJsFrames.decode(utf8("[\"a\",\"\\u00e9\",\"\"]"), false)).containsExactly("a", "é", "");
        assertThat(SockJsFrames.decode(utf8("[]"), false)).isEmpty();
        assertThat(SockJsFrames.decode(utf8("\"one\""), true)).containsExactly("one");
    }

    @Test
    void rejectsEverythingElse() {
        for (String bad : new String[] {"[\"a", "\"one\"", "[1]", "[\"a\",null]", "{}", "[\"a\"] [\"b\"]", "x",
                "[[\"a\"]]"}) {
            assertThatThrownBy(() -> SockJsFrames.decode(utf8(bad), false)).as(bad)
                    .isInstanceOf(SockJsFrames.BrokenJsonException.class);
        }
    }
}

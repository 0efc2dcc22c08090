package dev.rotor.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Params;
import java.util.List;
import org.junit.jupiter.api.Test;

class UniSseQueryTest {

    private static UniSseQuery parse(String query, String lastEventId) {
        return UniSseQuery.parse("/connection/uni_sse?" + query, lastEventId, 3);
    }

    @Test
    void readsTheCredentialsAndChannelsOfTheQuery() {
        UniSseQuery q = parse("user=42&timestamp=1&info=%7B%22a%22%3A1%7D&token=t&channel=news&channel=a%3Ab"
                + "&_=cachebuster", null);
        assertThat(q).isEqualTo(new UniSseQuery("42", "1", "{\"a\":1}", "t", List.of("news", "a:b"), null));
        assertThat(parse("channel=x", null)).isEqualTo(new UniSseQuery("", "", "", "", List.of("x"), null));
    }

    @Test
    void theCommandsAreAConnectThenOneSubscribePerChannel() {
        List<Command> cmds = CommandDecoder.decode(parse("user=42&timestamp=1&info=&token=t&channel=news&channel=%22q",
                null).commands(), false);
        assertThat(cmds).extracting(Command::method).containsExactly("connect", "subscribe", "subscribe");
        assertThat(cmds).extracting(Command::uid).containsOnly("");
        Params.Connect c = Params.connect(cmds.get(0).params());
        assertThat(List.of(c.user(), c.timestamp(), c.info(), c.token())).containsExactly("42", "1", "", "t");
        Params.Subscribe s = Params.subscribe(cmds.get(2).params());
        assertThat(s.channel()).isEqualTo("\"q");
        assertThat(s.recover()).isFalse();
    }

    @Test
    void afterAReconnectEverySubscribeAsksForRecoveryFromItsPosition() {
        List<Command> cmds = CommandDecoder.decode(parse("channel=a&channel=b", "2:m1,").commands(), false);
        Params.Subscribe a = Params.subscribe(cmds.get(1).params());
        Params.Subscribe b = Params.subscribe(cmds.get(2).params());
        assertThat(List.of(a.recover(), b.recover())).containsExactly(true, true);
        assertThat(List.of(a.last(), b.last())).containsExactly("m1", "");
    }

    @Test
    void refusesQueriesThatCannotBeServed() {
        assertThatThrownBy(() -> parse("user=u", null)).hasMessage("no channel: give one or more channel parameters");
        assertThatThrownBy(() -> parse("channel=", null)).hasMessage("empty channel name");
        assertThatThrownBy(() -> parse("channel=a&channel=a", null)).hasMessage("a channel is given twice");
        assertThatThrownBy(() -> parse("channel=a&channel=b&channel=c&channel=d", null))
                .hasMessage("limit exceeded: more than client_channel_limit (3) channels");
        assertThatThrownBy(() -> parse("channel=a&token=1&token=2", null)).hasMessage("parameter token is given twice");
        assertThatThrownBy(() -> parse("channel=%zz", null)).hasMessage("malformed query string");
    }

    @Test
    void refusesQueriesThatAreNotPercentEncodedUtf8() {
        // Netty's decoder makes U+FFFD (or Latin-1 characters) of each: distinct bytes would name one channel or user
        for (String q : List.of("channel=%FF", "channel=%FE", "channel=a%C3", "channel=%C3a", "channel=%ED%A0%80",
                "channel=%C0%AF", "channel=%F4%90%80%80", "user=%FF&channel=a", "channel=\u00c3\u00a9",
                "channel=a&_=\u00e9", "channel=%E9", "channel=%", "channel=%4", "channel=%\u0663\u0663")) {
            assertThatThrownBy(() -> parse(q, null)).as(q).hasMessage("malformed query string");
        }
        assertThat(parse("channel=%C3%A9%F0%9F%98%80+x&channel=%25&channel=a%2Fb", null).channels())
                .containsExactly("\u00e9\ud83d\ude00 x", "%", "a/b");
    }
}

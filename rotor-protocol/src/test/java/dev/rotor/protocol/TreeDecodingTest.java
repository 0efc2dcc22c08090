package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link Renderings} writes, {@link TreeDecoding} reads back (raw values compacted). */
class TreeDecodingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ClientInfo alice = new ClientInfo("alice", "c-1", RawJson.of("{\"n\": 1}"), RawJson.of("[true]"));
    private final Message withInfo = new Message("U1", "news", RawJson.of("{\"x\": [1, 2]}"), "c-1", alice);
    private final Message fromApi = new Message("U2", "news", RawJson.of("3"), null, null);

    @Test
    void messagesInBothRenderingsReadBack() throws Exception {
        for (Message m : List.of(withInfo, fromApi)) {
            JsonWriter push = new JsonWriter();
            Renderings.pushMessage(push, m);
            JsonWriter serialised = new JsonWriter();
            Renderings.serialisedMessage(serialised, m);
            Message expected = new Message(m.uid(), m.channel(), RawJson.wrap(m.data().compacted()), m.client(),
                    m.info() == null ? null : new ClientInfo(alice.user(), alice.client(),
                            RawJson.wrap(alice.defaultInfo().compacted()), alice.channelInfo()));
            assertThat(TreeDecoding.message(MAPPER.readTree(push.toString()))).isEqualTo(expected);
            assertThat(TreeDecoding.message(MAPPER.readTree(serialised.toString()))).isEqualTo(expected);
        }
    }

    @Test
    void historyKeepsItsOrderAndPresenceItsKeys() throws Exception {
        JsonWriter w = new JsonWriter();
        Renderings.serialisedMessages(w, List.of(fromApi, withInfo));
        assertThat(TreeDecoding.messages(MAPPER.readTree(w.toString()))).extracting(Message::uid)
                .containsExactly("U2", "U1");
        assertThat(TreeDecoding.messages(MAPPER.readTree("null"))).isEmpty();

        Map<String, ClientInfo> presence = new LinkedHashMap<>();
        presence.put("c-1", alice);
        presence.put("c-2", new ClientInfo("", "c-2", null, null));
        JsonWriter p = new JsonWriter();
        Renderings.presence(p, presence);
        Map<String, ClientInfo> read = TreeDecoding.presence(MAPPER.readTree(p.toString()));
        assertThat(read).containsOnlyKeys("c-1", "c-2");
        assertThat(read.get("c-1").defaultInfo().toString()).isEqualTo("{\"n\":1}");
        assertThat(read.get("c-2")).isEqualTo(new ClientInfo("", "c-2", null, null));
        assertThat(TreeDecoding.presence(null)).isEmpty();
    }
}

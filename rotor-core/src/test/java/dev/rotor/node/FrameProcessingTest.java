package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.subscribe;
import static dev.rotor.node.Frames.subscribeOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a session reads one frame (client-protocol.md §2.1–§2.3 and the frame-level checks of §3): what is fatal, how
 * replies are grouped, and which JSON is accepted.
 */
class FrameProcessingTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().namespace("jl", o -> o.joinLeave(true)).start();

    @Test
    void malformedFramesAreFatalInvalidMessage() {
        for (String bad : new String[] {" {\"method\":\"connect\"}", "[]", "{nope", "{\"uid\":1,\"method\":\"ping\"}",
                "\"x\"", "[{\"method\":\"ping\"}] trailing", "\n[{\"method\":\"ping\"}]", "null"}) {
            TestClient c = node.client();
            assertThat(c.closedBy(bad)).as(bad).isEqualTo(Disconnect.INVALID_MESSAGE);
            c.assertNoFrame();
        }
    }

    @Test
    void anEmptyFrameIsInvalidMessageEvenWhenConnected() {
        assertThat(node.connectedClient("u").closedBy("")).isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void paramsOfTheWrongShapeAreFatal() {
        for (String bad : new String[] {
                "{'method':'subscribe','params':'news'}",
                "{'method':'subscribe','params':{'channel':42}}",
                "{'method':'subscribe'}",
                "{'method':'publish','params':[1]}",
                "{'method':'connect','params':{'user':42}}"}) {
            TestClient c = bad.contains("connect") ? node.client() : node.connectedClient("u");
            assertThat(c.closedBy(json(bad))).as(bad).isEqualTo(Disconnect.INVALID_MESSAGE);
        }
    }

    @Test
    void nullParamsAreAnEmptyObject() {
        TestClient c = node.connectedClient("u");
        assertThat(c.closedBy(json("{'method':'subscribe','params':null}"))).isEqualTo(Disconnect.INVALID_MESSAGE);
        TestClient d = node.connectedClient("u");
        assertThat(d.call(json("{'uid':'1','method':'unsubscribe','params':{'channel':'x','extra':[1,{}]}}")))
                .isEqualTo(Frames.statusReply("1", "unsubscribe", "x", true));
    }

    @Test
    void oneCommandInAnArrayGetsAnObjectReplyAndTwoGetAnArray() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(json("[{'uid':'1','method':'ping'}]"))).isEqualTo(json("{'uid':'1','method':'ping'}"));
        assertThat(c.call(json("[{'uid':'5','method':'ping','params':{'data':'x'}},{'uid':'6','method':'ping'}]")))
                .isEqualTo(json("[{'uid':'5','method':'ping','body':{'data':'x'}},{'uid':'6','method':'ping'}]"));
    }

    @Test
    void responseErrorsDoNotStopTheFrame() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(json("[{'uid':'1','method':'subscribe','params':{'channel':'no:x'}},"
                + "{'uid':'2','method':'ping'}]"))).isEqualTo(json("[{'uid':'1','method':'subscribe',"
                + "'error':'namespace not found','advice':'fix','body':{'channel':'no:x','status':false,'last':'',"
                + "'messages':null,'recovered':false}},{'uid':'2','method':'ping'}]"));
    }

    @Test
    void keysMatchCaseInsensitivelyAndUnknownFieldsAreIgnored() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(json("{'UID':'b','Method':'ping','Params':{'Data':'bin'},'extra':{'x':[1]}}")))
                .isEqualTo(json("{'uid':'b','method':'ping','body':{'data':'bin'}}"));
    }

    @Test
    void aFatalErrorSuppressesEveryReplyOfTheFrameButKeepsEarlierEffects() {
        TestClient watcher = node.subscribedClient("w", "jl:news");
        TestClient c = node.connectedClient("u1");
        c.send(json("[{'uid':'1','method':'subscribe','params':{'channel':'jl:news'}},{'uid':'2','method':'nope'}]"));
        assertThat(c.closedWith()).isEqualTo(Disconnect.METHOD_NOT_FOUND);
        // no reply, only the own join push the subscribe caused
        assertThat(c.next()).contains("\"method\":\"join\"");
        c.assertNoFrame();
        // the subscribe happened (its join went out) and was undone by the close (its leave)
        assertThat(watcher.next()).contains("\"method\":\"join\"").contains(c.clientId());
        assertThat(watcher.next()).contains("\"method\":\"leave\"").contains(c.clientId());
    }

    @Test
    void anEmptyUidIsNotEchoed() {
        assertThat(node.connectedClient("u1").call(json("{'uid':'','method':'ping','params':{'data':'d'}}")))
                .isEqualTo(json("{'method':'ping','body':{'data':'d'}}"));
    }

    @Test
    void unknownMethodAfterConnectIsMethodNotFound() {
        assertThat(node.connectedClient("u1").closedBy(json("{'uid':'22','method':'unknownmethod'}")))
                .isEqualTo(Disconnect.METHOD_NOT_FOUND);
    }

    @Test
    void clientDisconnectMethodIsUnknownInV1() {
        assertThat(node.connectedClient("u1").closedBy(json("{'method':'disconnect'}")))
                .isEqualTo(Disconnect.METHOD_NOT_FOUND);
    }

    @Test
    void aFrameLongerThanTheRequestLimitIsLimitExceeded() {
        node.reconfigure(b -> b.clientRequestMaxSize(300));
        TestClient c = node.connectedClient("u");
        String ping = json("{'method':'ping','params':{'data':'") + "x".repeat(262) + json("'}}");
        assertThat(ping).hasSize(300);
        assertThat(c.call(ping)).startsWith("{\"method\":\"ping\"");
        assertThat(c.closedBy(ping.replace("xx", "xxx"))).isEqualTo(Disconnect.LIMIT_EXCEEDED);
    }

    @Test
    void aRequestMaxSizeOfZeroRejectsEveryFrameWithLimitExceeded() {
        // v1 compat: 0 is no transport limit, but every non-empty frame exceeds the protocol check (§3)
        node.reconfigure(b -> b.clientRequestMaxSize(0));
        assertThat(node.client().closedBy(TestNode.connectFrame("u", node.nowSeconds(), "")))
                .isEqualTo(Disconnect.LIMIT_EXCEEDED);
    }

    @Test
    void channelsAreEscapedHtmlSafe() {
        assertThat(node.connectedClient("u1").call(subscribe("1", "a<b>")))
                .isEqualTo(subscribeOk("1", "a\\u003cb\\u003e"));
    }

    @Test
    void aClosedSessionIgnoresFurtherFrames() {
        TestClient c = node.connectedClient("u1");
        c.session().close(Disconnect.DISCONNECT);
        c.send(json("{'uid':'1','method':'ping'}"));
        c.assertNoFrame();
        assertThat(c.closedWith()).isEqualTo(Disconnect.DISCONNECT);
    }
}

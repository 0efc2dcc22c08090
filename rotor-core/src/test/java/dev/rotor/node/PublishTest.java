package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.publish;
import static dev.rotor.node.Frames.statusReply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.ControlMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client {@code publish} and the {@code message} push (client-protocol.md §5.5, §6.1, §6.2, §8): the checks in
 * v1's order, the options that gate it (§6.4) and the message as subscribers receive it.
 */
class PublishTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.publish(true).historySize(2).historyLifetime(60))
            .namespace("ro", o -> { })
            .namespace("watched", o -> o.publish(true).watch(true))
            .start();

    private static String publishError(String uid, String channel, String error, String advice) {
        return json("{'uid':'" + uid + "','method':'publish','error':'" + error + "','advice':'" + advice + "',"
                + "'body':{'channel':'" + channel + "','status':false}}");
    }

    @Test
    void thePublisherGetsItsOwnMessageBeforeTheReplyWithDataVerbatim() {
        TestClient c = node.client();
        c.connect(TestNode.connectFrame("u1", node.nowSeconds(), "{\"name\": \"A\"}"));
        c.subscribe("news");
        c.send(publish("8", "news", "{'x': [1, 2]}"));
        assertThat(c.next()).matches(json("\\{'method':'message','body':\\{'uid':'[0-9A-Za-z]{22}','client':'"
                + c.clientId() + "','info':\\{'default_info':\\{'name': 'A'},'user':'u1','client':'" + c.clientId()
                + "'},'channel':'news','data':\\{'x': \\[1, 2]}}}"));
        assertThat(c.next()).isEqualTo(statusReply("8", "publish", "news", true));
    }

    @Test
    void everySubscriberGetsTheMessageAndOthersDoNot() {
        TestClient a = node.subscribedClient("a", "news");
        TestClient b = node.subscribedClient("b", "news");
        TestClient elsewhere = node.subscribedClient("c", "sport");
        a.send(publish("1", "news", "1"));
        String push = a.next();
        assertThat(a.next()).isEqualTo(statusReply("1", "publish", "news", true));
        assertThat(b.next()).isEqualTo(push);
        elsewhere.assertNoFrame();
    }

    @Test
    void theHistoryKeepsTheSerialisedRenderingCompacted() {
        TestClient c = node.client();
        c.connect(TestNode.connectFrame("u1", node.nowSeconds(), "{\"a\": [1, 2]}"));
        c.subscribe("news");
        c.send(publish("1", "news", "{'x': 1}"));
        c.next();
        c.next();
        String uid = TestNode.await(node.node().history("news")).get(0).uid();
        assertThat(c.call(Frames.history("h", "news"))).isEqualTo(json("{'uid':'h','method':'history','body':{"
                + "'channel':'news','data':[{'uid':'" + uid + "','channel':'news','data':{'x':1},'client':'"
                + c.clientId() + "','info':{'user':'u1','client':'" + c.clientId() + "','default_info':{'a':[1,2]}}}]}}"));
    }

    @Test
    void publishErrorsComeInV1sOrderWithAdvice() {
        TestClient c = node.subscribedClient("u1", "ro:x");
        assertThat(c.call(publish("1", "", "1"))).isEqualTo(publishError("1", "", "invalid message", "fix"));
        assertThat(c.call(json("{'uid':'2','method':'publish','params':{'channel':'ro:x'}}")))
                .isEqualTo(publishError("2", "ro:x", "invalid message", "fix"));
        assertThat(c.call(publish("3", "other", "1"))).isEqualTo(publishError("3", "other", "permission denied", "fix"));
        assertThat(c.call(publish("4", "ro:x", "1"))).isEqualTo(publishError("4", "ro:x", "permission denied", "fix"));
        // response errors keep the connection
        assertThat(c.call(json("{'uid':'5','method':'ping'}"))).isEqualTo(json("{'uid':'5','method':'ping'}"));
    }

    @Test
    void nullDataIsPublishedAsNull() {
        TestClient c = node.subscribedClient("u1", "n");
        c.send(publish("2", "n", "null"));
        assertThat(c.next()).endsWith(json("'channel':'n','data':null}}"));
        assertThat(c.next()).isEqualTo(statusReply("2", "publish", "n", true));
    }

    @Test
    void insecureModeAllowsPublishWithoutTheOption() {
        node.reconfigure(b -> b.insecure(true));
        TestClient c = node.subscribedClient("", "ro:x");
        c.send(publish("2", "ro:x", "1"));
        assertThat(c.next()).startsWith(json("{'method':'message'"));
        assertThat(c.next()).isEqualTo(statusReply("2", "publish", "ro:x", true));
    }

    @Test
    void aNamespaceRemovedByAReloadAnswersPublishWithInternalServerError() {
        TestClient c = node.subscribedClient("u", "watched:x");
        node.reconfigure(b -> b.namespaces(Map.of()));
        assertThat(c.call(publish("4", "watched:x", "1")))
                .isEqualTo(publishError("4", "watched:x", "internal server error", "retry"));
    }

    @Test
    void aWatchedChannelsMessagesAlsoGoToAdmins() {
        List<ControlMessage> admin = new ArrayList<>();
        node.node().addAdminListener(admin::add);
        TestClient c = node.subscribedClient("u", "watched:x");
        c.send(publish("1", "watched:x", "{'w':1}"));
        c.next();
        c.next();
        TestClient d = node.subscribedClient("u", "news");
        d.send(publish("2", "news", "1"));
        d.next();
        d.next();
        assertThat(admin).hasSize(1);
        assertThat(new String(admin.get(0).params().bytes(), StandardCharsets.UTF_8))
                .contains(json("'channel':'watched:x'")).contains(json("'data':{'w':1}"));
    }

    @Test
    void anApiPublicationHasNoClientOrInfoAndIgnoresTheClientSideOptions() {
        TestClient c = node.subscribedClient("u", "ro:x");
        assertThat(node.api(json("{'method':'publish','params':{'channel':'ro:x','data':{'a':1},'uid':'X'}}")))
                .isEqualTo(json("[{'method':'publish','error':null,'body':null}]"));
        assertThat(c.next()).isEqualTo(json("{'method':'message','body':{'uid':'X','channel':'ro:x','data':{'a':1}}}"));
        node.api(json("{'method':'publish','params':{'channel':'ro:x','data':'hi','uid':'Y','client':'cl'}}"));
        assertThat(c.next()).isEqualTo(json("{'method':'message','body':{'uid':'Y','client':'cl','channel':'ro:x',"
                + "'data':'hi'}}"));
    }
}

package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The end-to-end example of client-protocol.md §11, exchange by exchange, on the memory engine. */
class SpecExampleTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.publish(true).joinLeave(true).historySize(10).historyLifetime(60))
            .start();

    @Test
    void theExampleSessionGetsExactlyTheObservedFrames() {
        TestClient c = node.client();
        String id = c.clientId();
        String info = "{'default_info':{'name':'A'},'user':'u1','client':'" + id + "'}";

        assertThat(c.call(Frames.connect("connect", "1", "u1", node.nowSeconds(), "{\"name\":\"A\"}")))
                .isEqualTo(json("{'uid':'1','method':'connect','body':{'version':'1.8.0','client':'" + id + "',"
                        + "'expires':false,'expired':false,'ttl':0}}"));

        c.send(json("{'uid':'2','method':'subscribe','params':{'channel':'news'}}"));
        assertThat(c.next()).isEqualTo(json("{'method':'join','body':{'channel':'news','data':" + info + "}}"));
        assertThat(c.next()).isEqualTo(json("{'uid':'2','method':'subscribe','body':{'channel':'news','status':true,"
                + "'last':'','messages':null,'recovered':false}}"));

        assertThat(c.call(json("[{'uid':'5','method':'history','params':{'channel':'news'}},{'uid':'6','method':'ping'}]")))
                .isEqualTo(json("[{'uid':'5','method':'history','body':{'channel':'news','data':[]}},"
                        + "{'uid':'6','method':'ping'}]"));

        c.send(json("{'uid':'8','method':'publish','params':{'channel':'news','data':{'x':1}}}"));
        assertThat(c.next()).matches(json("\\{'method':'message','body':\\{'uid':'[0-9A-Za-z]{22}','client':'" + id
                + "','info':\\{'default_info':\\{'name':'A'},'user':'u1','client':'" + id
                + "'},'channel':'news','data':\\{'x':1}}}"));
        assertThat(c.next()).isEqualTo(json("{'uid':'8','method':'publish','body':{'channel':'news','status':true}}"));

        assertThat(c.closedBy(json("{'uid':'22','method':'unknownmethod'}")))
                .isEqualTo(new Disconnect("method not found", false));
        c.assertNoFrame();
    }
}

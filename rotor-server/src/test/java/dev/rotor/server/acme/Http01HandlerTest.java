package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code ssl_autocert_http} handler, as Go autocert's {@code HTTPHandler(nil)}. */
class Http01HandlerTest {
    private final Challenges challenges = new Challenges();
    private final EmbeddedChannel channel = new EmbeddedChannel(new Http01Handler(challenges));

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private FullHttpResponse request(HttpMethod method, String uri) {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        req.headers().set(HttpHeaderNames.HOST, "www.example.com:8080");
        channel.writeInbound(req);
        return channel.readOutbound();
    }

    @Test
    void pendingTokenIsAnsweredWithItsKeyAuthorizationOthersAre404() {
        challenges.putHttp("tok123", "tok123.thumbprint");
        FullHttpResponse ok = request(HttpMethod.GET, "/.well-known/acme-challenge/tok123");
        assertThat(ok.status().code()).isEqualTo(200);
        assertThat(ok.content().toString(StandardCharsets.UTF_8)).isEqualTo("tok123.thumbprint");
        ok.release();

        challenges.removeHttp("tok123");
        FullHttpResponse gone = request(HttpMethod.GET, "/.well-known/acme-challenge/tok123");
        assertThat(gone.status().code()).isEqualTo(404);
        gone.release();
    }

    @Test
    void otherGetsAreRedirectedToHttpsAndOtherMethodsRefused() {
        FullHttpResponse redirect = request(HttpMethod.GET, "/connection/websocket?a=b");
        assertThat(redirect.status().code()).isEqualTo(302);
        assertThat(redirect.headers().get(HttpHeaderNames.LOCATION))
                .isEqualTo("https://www.example.com/connection/websocket?a=b");
        redirect.release();

        FullHttpResponse post = request(HttpMethod.POST, "/api/");
        assertThat(post.status().code()).isEqualTo(400);
        post.release();
    }

    /** A request target in absolute form: its authority stands for Host, as in Go (before, the redirect was broken). */
    @Test
    void anAbsoluteFormTargetIsRedirectedByItsOwnHostAndPath() {
        assertRedirect("http://other.example:80/x?y=1", "https://other.example/x?y=1");
        assertRedirect("HTTP://other.example", "https://other.example/");
        assertRedirect("http://a:b@other.example/x", "https://other.example/x");
        assertRedirect("http:///x", "https://www.example.com/x"); // no authority: Host
        challenges.putHttp("tok", "tok.thumbprint");
        FullHttpResponse ok = request(HttpMethod.GET, "http://www.example.com/.well-known/acme-challenge/tok");
        assertThat(ok.content().toString(StandardCharsets.UTF_8)).isEqualTo("tok.thumbprint");
        ok.release();
    }

    private void assertRedirect(String target, String location) {
        FullHttpResponse redirect = request(HttpMethod.GET, target);
        try {
            assertThat(redirect.status().code()).isEqualTo(302);
            assertThat(redirect.headers().get(HttpHeaderNames.LOCATION)).isEqualTo(location);
        } finally {
            redirect.release();
        }
    }
}

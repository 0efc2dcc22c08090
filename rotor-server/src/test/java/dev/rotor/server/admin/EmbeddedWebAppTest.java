package dev.rotor.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedded interface on an {@link EmbeddedChannel}: hashed assets, ETags, gzip, the security headers, 404s. */
class EmbeddedWebAppTest {
    private static final EmbeddedWebApp APP = new EmbeddedWebApp();
    private final EmbeddedChannel ch = new EmbeddedChannel(new SimpleChannelInboundHandler<FullHttpRequest>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            APP.handle(ctx, request, path.startsWith("/p") ? path.substring(2) : path);
        }
    });

    @AfterEach
    void finish() {
        assertFalse(ch.finish());
    }

    /** One exchange: status, headers and the body bytes (the response is released here). */
    private record Answer(int status, HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Answer get(String uri, String... headers) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        ch.writeInbound(request);
        FullHttpResponse r = ch.readOutbound();
        try {
            byte[] body = new byte[r.content().readableBytes()];
            r.content().readBytes(body);
            return new Answer(r.status().code(), r.headers().copy(), body);
        } finally {
            r.release();
        }
    }

    private static List<String> assetLinks(String html) {
        Matcher m = Pattern.compile("\"(assets/[^\"]+)\"").matcher(html);
        List<String> links = new ArrayList<>();
        while (m.find()) {
            if (!links.contains(m.group(1))) {
                links.add(m.group(1));
            }
        }
        return links;
    }

    @Test
    void thePageNamesEveryAssetByItsContentHashAndIsRevalidated() {
        Answer page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.headers().get("Cache-Control")).isEqualTo("no-cache");
        assertThat(page.text()).doesNotContain("{{").doesNotContain("<script>").doesNotContain("<style")
                .doesNotContain("style=\"").doesNotContain("http://").doesNotContain("https://");
        List<String> links = assetLinks(page.text());
        assertThat(links).hasSize(5).allMatch(l -> l.matches("assets/[A-Za-z.]+\\.[0-9a-f]{16}\\.(js|css|svg)"));
        for (String link : links) {
            Answer asset = get("/" + link);
            assertThat(asset.status()).as(link).isEqualTo(200);
            assertThat(asset.headers().get("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            assertThat(asset.body()).isNotEmpty();
        }
        assertThat(links).anyMatch(l -> l.startsWith("assets/uPlot.min.") && l.endsWith(".js"));
    }

    @Test
    void everyAnswerCarriesAStrictContentSecurityPolicy() {
        for (String uri : List.of("/", "/index.html")) {
            HttpHeaders h = get(uri).headers();
            assertThat(h.get("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'",
                    "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
            assertThat(h.get("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(h.get("X-Frame-Options")).isEqualTo("DENY");
        }
    }

    @Test
    void aMatchingEtagGetsNotModifiedWithoutABody() {
        Answer page = get("/");
        String etag = page.headers().get("ETag");
        assertThat(etag).matches("\"[0-9a-f]{16}\"");
        Answer again = get("/", "If-None-Match", etag);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(get("/", "If-None-Match", "\"0000000000000000\"").status()).isEqualTo(200);
    }

    @Test
    void clientsThatAcceptGzipGetTheCompressedCopy() throws IOException {
        String js = assetLinks(get("/").text()).stream().filter(l -> l.startsWith("assets/app.") && l.endsWith(".js"))
                .findFirst().orElseThrow();
        Answer plain = get("/" + js);
        Answer zipped = get("/" + js, "Accept-Encoding", "br, gzip;q=0.8");
        assertThat(plain.headers().get("Content-Encoding")).isNull();
        assertThat(zipped.headers().get("Content-Encoding")).isEqualTo("gzip");
        assertThat(zipped.headers().get("Vary")).isEqualToIgnoringCase("accept-encoding");
        assertThat(zipped.body().length).isLessThan(plain.body().length / 2);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(get("/" + js, "Accept-Encoding", "gzip;q=0").headers().get("Content-Encoding")).isNull();
    }

    @Test
    void unknownPathsAndStaleHashesAreNotFound() {
        assertThat(get("/assets/app.0000000000000000.js").status()).isEqualTo(404);
        assertThat(get("/app.js").text()).isEqualTo("404 page not found\n");
        assertThat(get("/../pom.xml").status()).isEqualTo(404);
    }

    @Test
    void theWholeInterfaceHoldsLessThanHalfAMebibyte() {
        // docs/admin.md, "Cost": the files are most of what --web adds to the heap
        assertThat(APP.heldBytes()).isBetween(50_000L, 512L * 1024);
    }

    @Test
    void theBarePrefixRedirectsToItsSlashSoRelativeLinksResolve() {
        Answer r = get("/p");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.headers().get("Location")).isEqualTo("/p/");
    }
}

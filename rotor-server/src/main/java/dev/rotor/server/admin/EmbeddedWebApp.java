package dev.rotor.server.admin;

import dev.rotor.server.http.HttpResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

/**
 * Rotor's own admin web interface, served from the jar when {@code web} is on and {@code web_path} is empty
 * (docs/admin.md; v1 embedded its web application the same way, admin-and-web.md §2.2). Beyond v1.
 *
 * <p>Every file is read from the classpath once, at construction: the page {@code index.html}, its script and style
 * sheet (resources {@code dev/rotor/server/admin/web/}) and uPlot's script and style sheet from the
 * {@code org.webjars.npm:uplot} webjar. Each asset is served at {@code assets/<name>.<hash>.<ext>}, the hash being
 * the first 16 hex digits of its SHA-256, so it may be cached for a year ({@code immutable}); the page itself names
 * them through {@code {{file}}} placeholders and is revalidated on every load ({@code no-cache} plus an ETag, 304 on
 * a match). A gzip copy is kept for each file and sent to clients that accept gzip. Every answer carries a strict
 * Content-Security-Policy (scripts, styles and connections from the page's own origin only; nothing inline) and
 * {@code nosniff}; nothing else is served (404). The whole interface holds about 130 KiB of heap.
 *
 * <p>Immutable after construction; thread-safe.
 */
public final class EmbeddedWebApp {
    static final String RESOURCES = "dev/rotor/server/admin/web/";
    /** No inline script or style, no framing, connections ({@code /auth/}, {@code /socket}) to the page's origin. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    /** One servable file, its bytes fixed at construction. */
    private record Asset(byte[] bytes, byte[] gzip, String etag, String type, String cacheControl) {
    }

    /** Request path (after {@code http_prefix}) → file; {@code /} and {@code /index.html} map to the page. */
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    /** Reads the interface from the classpath; fails if a file is missing (a broken build). */
    public EmbeddedWebApp() {
        ClassLoader loader = EmbeddedWebApp.class.getClassLoader();
        String uplot = UPLOT + uplotVersion(loader) + "/dist/";
        Map<String, String> names = new LinkedHashMap<>();
        names.put("uPlot.min.css", uplot + "uPlot.min.css");
        names.put("uPlot.min.js", uplot + "uPlot.iife.min.js");
        names.put("app.css", RESOURCES + "app.css");
        names.put("app.js", RESOURCES + "app.js");
        names.put("icon.svg", RESOURCES + "icon.svg");
        String page = new String(read(loader, RESOURCES + "index.html"), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : names.entrySet()) {
            byte[] bytes = read(loader, e.getValue());
            String hash = sha256(bytes).substring(0, 16);
            String name = e.getKey();
            int dot = name.lastIndexOf('.');
            String path = "assets/" + name.substring(0, dot) + "." + hash + name.substring(dot);
            assets.put("/" + path, asset(bytes, hash, type(name), IMMUTABLE));
            page = page.replace("{{" + name + "}}", path);
        }
        if (page.contains("{{")) {
            throw new IllegalStateException("index.html names an asset that is not embedded: " + page);
        }
        byte[] html = page.getBytes(StandardCharsets.UTF_8);
        Asset index = asset(html, sha256(html).substring(0, 16), "text/html; charset=utf-8", "no-cache");
        assets.put("/", index);
        assets.put("/index.html", index);
    }

    /** The bytes this instance holds: every file and its gzip copy (the page once, though served at two paths). */
    long heldBytes() {
        return assets.values().stream().distinct()
                .mapToLong(a -> a.bytes().length + (a.gzip() == null ? 0 : a.gzip().length)).sum();
    }

    /** @param path the request path after {@code http_prefix}; empty when the request named the prefix itself */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        if (path.isEmpty()) {
            // the page's relative links need the trailing slash
            HttpResponses.redirect(ctx, request, new QueryStringDecoder(request.uri()).path() + "/");
            return;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            HttpResponses.notFound(ctx, request);
            return;
        }
        String etag = '"' + asset.etag() + '"';
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse r;
        if (etag.equals(request.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
            r = HttpResponses.response(HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
        } else {
            boolean gzip = asset.gzip() != null && acceptsGzip(request);
            byte[] body = gzip ? asset.gzip() : asset.bytes();
            r = HttpResponses.response(HttpResponseStatus.OK, head ? Unpooled.EMPTY_BUFFER
                    : Unpooled.wrappedBuffer(body));
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.type());
            if (gzip) {
                r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
            }
        }
        r.headers().set(HttpHeaderNames.ETAG, etag);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, asset.cacheControl());
        if (asset.gzip() != null) {
            r.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
        r.headers().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Referrer-Policy", "no-referrer");
        HttpResponses.send(ctx, request, r);
    }

    /** True when {@code Accept-Encoding} lists gzip without {@code q=0}. */
    static boolean acceptsGzip(FullHttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            String[] coding = part.trim().split(";");
            if (coding[0].trim().equalsIgnoreCase("gzip")) {
                return coding.length < 2 || !coding[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static Asset asset(byte[] bytes, String hash, String type, String cacheControl) {
        byte[] gzip = gzip(bytes);
        return new Asset(bytes, gzip.length < bytes.length ? gzip : null, hash, type, cacheControl);
    }

    private static String type(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        throw new IllegalArgumentException(name);
    }

    /** The version of the uPlot webjar on the classpath, from its Maven metadata. */
    private static String uplotVersion(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar is missing from the classpath (" + UPLOT_POM + ")");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("web interface resource missing from the classpath: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}

package dev.rotor.server.admin;

import dev.rotor.node.ThrottledLog;
import dev.rotor.server.http.HttpResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the web interface as static files from {@code web_path} (admin-and-web.md §2.2), {@code index.html} for
 * directories; requests that leave the directory get Go's {@code 404 page not found}. Without {@code web_path},
 * Rotor's own interface ({@link EmbeddedWebApp}) is served instead. Stateless and shareable; reads files on the
 * event loop, which is acceptable for the small admin application but not meant for bulk content: a file larger than
 * {@link #MAX_FILE} is not served (404, and a throttled warning), because every request reads its file whole into
 * the heap and anyone who can reach the interface can ask for it many times at once.
 */
public final class WebAppResources {
    /** The largest file served from {@code web_path}; the interface's own files are a few hundred KiB. */
    static final long MAX_FILE = 16L * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(WebAppResources.class);

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "application/javascript"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"), Map.entry("ttf", "font/ttf"),
            Map.entry("map", "application/json"), Map.entry("txt", "text/plain; charset=utf-8"));

    /** Null when no web_path is configured. */
    private final Path root;
    /** Null when web_path is configured. */
    private final EmbeddedWebApp embedded;
    private final ThrottledLog tooLarge = new ThrottledLog(log, Clock.systemUTC(), 60_000);

    public WebAppResources(String webPath) {
        this.root = webPath.isEmpty() ? null : Path.of(webPath).toAbsolutePath().normalize();
        this.embedded = webPath.isEmpty() ? new EmbeddedWebApp() : null;
    }

    /** @param path the request path after {@code http_prefix}, starting with {@code /} */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        if (root == null) {
            embedded.handle(ctx, request, path);
            return;
        }
        Path file = root.resolve(path.substring(1)).normalize();
        if (!file.startsWith(root)) {
            HttpResponses.notFound(ctx, request);
            return;
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (!Files.isRegularFile(file)) {
            HttpResponses.notFound(ctx, request);
            return;
        }
        byte[] content;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE) {
                tooLarge.warn("web_path: not serving {}: larger than 16 MiB", file + " (" + size + " bytes)");
                HttpResponses.notFound(ctx, request);
                return;
            }
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            HttpResponses.notFound(ctx, request);
            return;
        }
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(content));
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, TYPES.getOrDefault(ext, "application/octet-stream"));
        HttpResponses.send(ctx, request, r);
    }
}

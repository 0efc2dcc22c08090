package dev.rotor.testkit.browser;

import dev.rotor.testkit.DebianBinary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Debian Chromium driven through W3C WebDriver by Debian's {@code chromedriver}, for end-to-end tests.
 *
 * <p>{@link #launch()} starts {@code chromedriver} on a free loopback port and opens one session: Chromium with the
 * flags of {@link #CHROMIUM_ARGS} and a fresh temporary profile. Only the two Debian binaries are used (never a
 * downloaded browser); a missing one fails with the {@code apt-get} command that installs it. {@link #close()} ends
 * the session, kills chromedriver and every browser process it started, and deletes the profile.
 *
 * <p>Thread-safe for {@link #execute} calls from several threads (WebDriver serialises commands per session), but
 * meant for one test thread.
 */
public final class ChromeBrowser implements AutoCloseable {
    /** System property overriding the Chromium executable, {@code /usr/bin/chromium} by default. */
    public static final String CHROMIUM_PROPERTY = "rotor.chromium";
    /** System property overriding the chromedriver executable, {@code /usr/bin/chromedriver} by default. */
    public static final String CHROMEDRIVER_PROPERTY = "rotor.chromedriver";
    /** The Chromium flags of every session: headless, quiet, no network activity of its own. */
    public static final List<String> CHROMIUM_ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
            "--disable-quic", "--disable-dev-shm-usage");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTED = Pattern.compile("started successfully on port (\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final String INSTALL_HINT = "Install Debian's browser and driver with: "
            + "sudo apt-get install -y chromium chromium-driver (bin/test does this when run as root)";

    private final Process driver;
    private final Path profile;
    private final HttpClient http;
    private final URI session;
    /** chromedriver's own output, for failure messages; guarded by itself. */
    private final StringBuilder driverLog;
    /** Kills the processes and deletes the profile if the JVM exits before {@link #close()}; removed by it. */
    private final Thread exitHook;

    private ChromeBrowser(Process driver, Path profile, HttpClient http, URI session, StringBuilder driverLog) {
        this.driver = driver;
        this.profile = profile;
        this.http = http;
        this.session = session;
        this.driverLog = driverLog;
        this.exitHook = new Thread(() -> {
            killTree(driver);
            deleteTree(profile);
        }, "chromium-cleanup");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** Starts chromedriver and a headless Chromium session with a fresh profile; fails loudly if either is missing. */
    public static ChromeBrowser launch() {
        Path chromium = executable(CHROMIUM_PROPERTY, "/usr/bin/chromium");
        Path chromedriver = executable(CHROMEDRIVER_PROPERTY, "/usr/bin/chromedriver");
        Path profile;
        try {
            profile = Files.createTempDirectory("rotor-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a Chromium profile directory", e);
        }
        Process driver = null;
        try {
            driver = new ProcessBuilder(chromedriver.toString(), "--port=0")
                    .redirectErrorStream(true).start();
            StringBuilder log = new StringBuilder();
            int port = awaitPort(driver, log);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            ObjectNode options = JSON.createObjectNode();
            options.put("binary", chromium.toString());
            ArrayNode args = options.putArray("args");
            CHROMIUM_ARGS.forEach(args::add);
            args.add("--user-data-dir=" + profile);
            ObjectNode caps = JSON.createObjectNode();
            ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
            always.put("browserName", "chrome");
            always.set("goog:chromeOptions", options);
            always.putObject("goog:loggingPrefs").put("browser", "ALL");
            always.putObject("timeouts").put("script", COMMAND_TIMEOUT.toMillis()).put("pageLoad", 60_000);
            JsonNode created = send(http, base.resolve("session"), "POST", caps, log);
            String id = created.path("sessionId").asText();
            if (id.isEmpty()) {
                throw new IllegalStateException("chromedriver returned no session id: " + created);
            }
            return new ChromeBrowser(driver, profile, http, base.resolve("session/" + id + "/"), log);
        } catch (IOException | RuntimeException e) {
            if (driver != null) {
                killTree(driver);
            }
            deleteTree(profile);
            throw new IllegalStateException("Cannot start headless Chromium through " + chromedriver + ": " + e
                    + "\n" + INSTALL_HINT, e);
        }
    }

    /** Loads {@code url} in the browser's window and waits for its load event. */
    public void navigate(String url) {
        ObjectNode body = JSON.createObjectNode().put("url", url);
        command("url", body);
    }

    /**
     * Runs {@code script} as the body of a function in the page (W3C "execute script"), with {@code args} as
     * {@code arguments}, and returns the value it returned, as JSON (null for undefined).
     */
    public JsonNode execute(String script, Object... args) {
        return command("execute/sync", scriptBody(script, args));
    }

    /**
     * Runs {@code script} with a callback as its last argument and returns the value passed to the callback
     * (W3C "execute async script"); bounded by the session's script timeout.
     */
    public JsonNode executeAsync(String script, Object... args) {
        return command("execute/async", scriptBody(script, args));
    }

    /** A PNG of the window's viewport (W3C "take screenshot"). */
    public byte[] screenshot() {
        try {
            JsonNode png = send(http, session.resolve("screenshot"), "GET", null, driverLog);
            return java.util.Base64.getDecoder().decode(png.asText());
        } catch (IOException e) {
            throw new UncheckedIOException("WebDriver screenshot failed", e);
        }
    }

    /** Resizes the browser window (W3C "set window rect"), e.g. to a phone's width. */
    public void windowSize(int width, int height) {
        command("window/rect", JSON.createObjectNode().put("width", width).put("height", height));
    }

    /**
     * Runs one Chrome DevTools Protocol command through chromedriver, e.g. {@code Emulation.setEmulatedMedia} to
     * render the page in the dark system theme; returns its result.
     */
    public JsonNode devTools(String cmd, JsonNode params) {
        ObjectNode body = JSON.createObjectNode().put("cmd", cmd);
        body.set("params", params);
        return command("goog/cdp/execute", body);
    }

    /**
     * The browser console messages logged since the last call (chromedriver's {@code browser} log), one per line;
     * for failure messages. Returns a note instead of throwing if the log cannot be read.
     */
    public String consoleLog() {
        try {
            JsonNode entries = command("se/log", JSON.createObjectNode().put("type", "browser"));
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : entries) {
                sb.append(e.path("level").asText()).append(' ').append(e.path("message").asText()).append('\n');
            }
            return sb.toString();
        } catch (RuntimeException e) {
            return "<browser console not available: " + e.getMessage() + ">\n";
        }
    }

    /** The temporary Chromium profile of this session (deleted by {@link #close()}). */
    public Path profileDir() {
        return profile;
    }

    /** chromedriver and every process it started (the browser and its helpers), as running now. */
    public List<ProcessHandle> processes() {
        return Stream.concat(Stream.of(driver.toHandle()), driver.descendants()).toList();
    }

    /** Ends the session, kills chromedriver and the browser processes, and deletes the profile. Idempotent. */
    @Override
    public void close() {
        try {
            if (driver.isAlive()) {
                HttpRequest delete = HttpRequest.newBuilder(session).timeout(Duration.ofSeconds(15)).DELETE().build();
                http.send(delete, HttpResponse.BodyHandlers.discarding());
            }
        } catch (IOException e) {
            // The driver is killed below anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            killTree(driver);
            deleteTree(profile);
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException e) {
                // the JVM is already exiting and runs the hook itself
            }
        }
    }

    private JsonNode command(String path, JsonNode body) {
        try {
            return send(http, session.resolve(path), "POST", body, driverLog);
        } catch (IOException e) {
            throw new UncheckedIOException("WebDriver command " + path + " failed; chromedriver output:\n"
                    + driverOutput(), e);
        }
    }

    private String driverOutput() {
        synchronized (driverLog) {
            return driverLog.toString();
        }
    }

    private static ObjectNode scriptBody(String script, Object... args) {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        ArrayNode list = body.putArray("args");
        for (Object a : args) {
            list.add(JSON.valueToTree(a));
        }
        return body;
    }

    /**
     * Sends one WebDriver command ({@code body} null for none) and returns its {@code value}; a WebDriver error
     * becomes an AssertionError.
     */
    private static JsonNode send(HttpClient http, URI uri, String method, JsonNode body, StringBuilder log)
            throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(COMMAND_TIMEOUT.plusSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode reply = JSON.readTree(response.body());
        JsonNode value = reply.path("value");
        if (response.statusCode() != 200) {
            String output;
            synchronized (log) {
                output = log.toString();
            }
            throw new AssertionError("WebDriver " + uri.getPath() + " answered " + response.statusCode() + ": "
                    + value.path("error").asText() + ": " + value.path("message").asText()
                    + (output.isEmpty() ? "" : "\nchromedriver output:\n" + output));
        }
        return value.isMissingNode() ? reply : value;
    }

    private static Path executable(String property, String standard) {
        return DebianBinary.require(property, standard, "chromium chromium-driver", "the browser tests");
    }

    /** Reads chromedriver's output until it names its port, then keeps draining it into {@code log}. */
    private static int awaitPort(Process driver, StringBuilder log) throws IOException {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            } finally {
                synchronized (log) {
                    port.completeExceptionally(new IOException("chromedriver exited before naming its port:\n"
                            + log));
                }
            }
        }, "chromedriver-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for chromedriver", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("chromedriver did not start within " + START_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private static void killTree(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : children) {
            h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).join();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        // Chromium's helpers may still be flushing files for a moment after being killed; retry briefly.
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // retried below
            }
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}

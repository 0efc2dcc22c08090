package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example of docs/sdk.md's "Realtime client" section, exactly as the page prints it, compiled against the SDKs
 * and run against the README's quick start: a server started by the CLI ({@code rotor genconfig}, then plain
 * {@code rotor} with only the loopback address and a free port added) in a directory of its own. Both run as child
 * JVMs on this module's test class path.
 */
class DocsExampleIT {
    private static final String TEST_CLASS_PATH = System.getProperty("java.class.path");
    private static final Pattern SECRET = Pattern.compile("\"secret\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void realtimeClientExampleInTheDocsRunsAgainstTheQuickStartServer() throws Exception {
        Path classes = Files.createDirectory(dir.resolve("classes"));
        compile(realtimeClientExample(), classes);
        assertThat(classes.resolve("Chat.class")).exists();

        Path demo = Files.createDirectory(dir.resolve("demo"));
        Process genconfig = java(demo, TEST_CLASS_PATH, "dev.rotor.cli.Main", "genconfig").start();
        assertThat(genconfig.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(genconfig.exitValue()).as(output(genconfig)).isZero();
        Matcher secret = SECRET.matcher(Files.readString(demo.resolve("config.json")));
        assertThat(secret.find()).as("genconfig wrote a secret").isTrue();

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path serverLog = dir.resolve("server.log");
        Process server = java(demo, TEST_CLASS_PATH, "dev.rotor.cli.Main", "--port=" + port, "--address=127.0.0.1")
                .redirectOutput(serverLog.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(server.isAlive()).as("the server runs: %s", Files.readString(serverLog)).isTrue();
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            Process chat = java(dir, classes + File.pathSeparator + TEST_CLASS_PATH, "Chat", secret.group(1),
                    "127.0.0.1:" + port).start();
            assertThat(chat.waitFor(60, TimeUnit.SECONDS)).as("Chat exits by itself").isTrue();
            String out = output(chat);
            assertThat(chat.exitValue()).as(out).isZero();
            assertThat(out).containsPattern("(?m)^connected \\S+$").contains("news: {\"text\":\"hello\"}");
        } finally {
            server.destroy();
            if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** The page's Java block that holds {@code public class Chat}, verbatim. */
    private static String realtimeClientExample() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "sdk.md"));
        int section = doc.indexOf("## Realtime client (`rotor-sdk-client`)");
        assertThat(section).as("docs/sdk.md has the realtime client section").isPositive();
        int start = doc.indexOf("```java\n", section) + "```java\n".length();
        String source = doc.substring(start, doc.indexOf("```", start));
        assertThat(source).contains("public class Chat");
        return source;
    }

    private static void compile(String source, Path out) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Chat.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8);
             PrintWriter err = new PrintWriter(diagnostics, true, StandardCharsets.UTF_8)) {
            boolean ok = compiler.getTask(err, files, null,
                    List.of("-classpath", TEST_CLASS_PATH, "-d", out.toString()), null,
                    List.of(file)).call();
            assertThat(ok).as("compiler output:%n%s", diagnostics.toString(StandardCharsets.UTF_8)).isTrue();
        }
    }

    /** {@code java -cp classPath mainClass args} in {@code dir}, stderr into stdout. */
    private static ProcessBuilder java(Path dir, String classPath, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}

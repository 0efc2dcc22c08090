package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example in docs/sdk.md's "Realtime client" section compiles against this module as it is. */
class DocsExampleTest {

    @Test
    void realtimeClientExampleInTheDocsCompiles(@TempDir Path out) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "sdk.md"));
        int section = doc.indexOf("## Realtime client (`rotor-sdk-client`)");
        assertThat(section).as("docs/sdk.md has the realtime client section").isPositive();
        int start = doc.indexOf("```java\n", section) + "```java\n".length();
        String source = doc.substring(start, doc.indexOf("```", start));
        assertThat(source).contains("public class Chat");

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
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString()), null,
                    List.of(file)).call();
            assertThat(ok).as("compiler output:%n%s", diagnostics.toString(StandardCharsets.UTF_8)).isTrue();
        }
        assertThat(out.resolve("Chat.class")).exists();
    }
}

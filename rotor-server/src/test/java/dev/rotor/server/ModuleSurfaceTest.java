package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.Node;
import dev.rotor.protocol.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The modules that run on the class path (this one, the testkit, the benchmarks, the SDKs) use only packages that
 * {@code dev.rotor.core} and {@code dev.rotor.protocol} export: javac checks that only for consumers compiled as
 * modules, so this test checks the rest by reading their main sources against the two module descriptors.
 */
class ModuleSurfaceTest {
    /** A package-qualified name in Java source: {@code dev.rotor.pkg.Type} or {@code dev.rotor.pkg.*}. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b(dev\\.rotor(?:\\.[a-z][a-z0-9_]*)+)\\.(?:[A-Z]|\\*)");
    private static final List<String> CLASS_PATH_CONSUMERS = List.of("rotor-server", "rotor-testkit", "rotor-bench",
            "rotor-sdk-api", "rotor-sdk-client");

    @Test
    void classPathConsumersUseOnlyExportedPackagesOfCoreAndProtocol() throws IOException {
        List<ModuleDescriptor> modules = List.of(descriptor(Node.class), descriptor(Command.class));
        assertThat(modules).extracting(ModuleDescriptor::name)
                .containsExactly("dev.rotor.core", "dev.rotor.protocol");
        Set<String> used = new TreeSet<>();
        Set<String> violations = new TreeSet<>();
        for (String consumer : CLASS_PATH_CONSUMERS) {
            Path sources = Path.of("..", consumer, "src", "main", "java");
            assertThat(sources).isDirectory();
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(file);
                    used.addAll(packagesNamed(text));
                    for (ModuleDescriptor module : modules) {
                        violations.addAll(violations(module, text).stream()
                                .map(p -> sources.relativize(file) + " uses " + p + " of " + module.name())
                                .collect(Collectors.toSet()));
                    }
                }
            }
        }
        assertThat(used).as("the scan sees the core packages the server uses").contains("dev.rotor.node",
                "dev.rotor.protocol", "dev.rotor.transport");
        assertThat(violations).isEmpty();
    }

    @Test
    void aNonExportedPackageIsReported() {
        ModuleDescriptor module = ModuleDescriptor.newModule("dev.rotor.core")
                .packages(Set.of("dev.rotor.node", "dev.rotor.node.internal")).exports("dev.rotor.node").build();
        assertThat(violations(module, "import dev.rotor.node.Node;\nimport dev.rotor.node.internal.Hub;\n"))
                .containsExactly("dev.rotor.node.internal");
        assertThat(violations(module, "var h = new dev.rotor.node.internal.Hub();")).containsExactly(
                "dev.rotor.node.internal");
        assertThat(violations(module, "import static dev.rotor.node.internal.Hub.of;\nimport dev.rotor.node.*;"))
                .containsExactly("dev.rotor.node.internal");
        assertThat(violations(module, "import dev.rotor.node.Node;")).isEmpty();
    }

    /** The packages of {@code module} that {@code source} names but the module does not export to everyone. */
    private static Set<String> violations(ModuleDescriptor module, String source) {
        Set<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        Set<String> out = new TreeSet<>(packagesNamed(source));
        out.retainAll(module.packages());
        out.removeAll(exported);
        return out;
    }

    private static Set<String> packagesNamed(String source) {
        Set<String> out = new TreeSet<>();
        Matcher m = QUALIFIED.matcher(source);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The module descriptor of the classes directory or jar that {@code type} was loaded from. */
    private static ModuleDescriptor descriptor(Class<?> type) {
        try {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            return ModuleFinder.of(location).findAll().stream().map(ModuleReference::descriptor).findFirst()
                    .orElseThrow(() -> new AssertionError("no module descriptor in " + location));
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}

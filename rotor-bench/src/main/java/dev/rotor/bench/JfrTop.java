package dev.rotor.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Summarises a JFR recording's CPU samples ({@code jdk.ExecutionSample}): the methods on top of the stack (self
 * time) and the methods anywhere on it (inclusive), as percentages of all samples. The evidence behind each
 * optimisation in docs/benchmarks.md. Stateless.
 */
@Command(name = "jfr-top", description = "Hot methods of a JFR recording (self and inclusive CPU samples).")
final class JfrTop implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "a .jfr file") Path in;
    @Option(names = "--limit", defaultValue = "25") int limit;
    @Option(names = "--filter", defaultValue = "dev.rotor|io.netty",
            description = "regex on class names for the inclusive list")
    String filter;

    @Override
    public Integer call() throws Exception {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        try (RecordingFile file = new RecordingFile(in)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                Set<String> seen = new HashSet<>();
                boolean top = true;
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                    if (top) {
                        self.merge(m, 1, Integer::sum);
                        top = false;
                    }
                    if (seen.add(m)) {
                        inclusive.merge(m, 1, Integer::sum);
                    }
                }
            }
        }
        System.out.println(samples + " CPU samples in " + in);
        print("self", self, samples, ".*");
        print("inclusive", inclusive, samples, ".*(" + filter + ").*");
        return 0;
    }

    private void print(String title, Map<String, Integer> counts, int samples, String regex) {
        System.out.println("--- " + title);
        counts.entrySet().stream().filter(e -> e.getKey().matches(regex))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> System.out.printf("%5.1f%% %s%n", 100.0 * e.getValue() / samples, e.getKey()));
    }
}

package dev.rotor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The side-by-side runner: interleaving, pairing, the table, the default scenarios and the command launcher. */
class PairTest {
    @TempDir
    Path dir;

    private static Pair pair(String... args) {
        Pair p = new Pair();
        new CommandLine(p).parseArgs(args);
        return p;
    }

    private static Result run(double commands, double rss) {
        return new Result("api", "api c32 b1").put("commands_per_s", commands).put("server_rss_mb", rss);
    }

    @Test
    void roundsAlternateWhichArmRunsFirst() {
        assertThat(Pair.order(1)).containsExactly(true, false);
        assertThat(Pair.order(2)).containsExactly(false, true);
        assertThat(Pair.order(3)).containsExactly(true, false);
    }

    @Test
    void ratiosPairRunsOfTheSameRoundAndSkipMissingValues() {
        List<Result> as = List.of(run(200, 10), run(300, Double.NaN), run(100, 30));
        List<Result> bs = List.of(run(100, 20), run(100, 20), run(100, 10));
        assertThat(Pair.ratios(as, bs, "commands_per_s")).containsExactly(2.0, 3.0, 1.0);
        assertThat(Pair.ratios(as, bs, "server_rss_mb")).containsExactly(0.5, 3.0);
        assertThat(Pair.ratios(as, bs, "p99_ms")).isEmpty();
        assertThat(Pair.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Pair.median(new double[] {4, 1})).isEqualTo(2.5);
        assertThat(Pair.median(new double[0])).isNaN();
    }

    @Test
    void theTableShowsReportedMetricsWithTheBetterSideMarked() {
        String table = Pair.table("api c32 b1", List.of(run(200, 10), run(220, 12)), List.of(run(100, 20),
                run(100, 24)));
        assertThat(table).startsWith("api c32 b1\n");
        // more commands is better: A's 2.1x is marked; less memory is better: A's 0.5x is marked
        assertThat(table).containsPattern("commands_per_s +210\\.0 +100\\.0 +2\\.10x\\+ \\[2\\.00\\.\\.2\\.20] 2\\.00 2\\.20");
        assertThat(table).containsPattern("server_rss_mb +11\\.0 +22\\.0 +0\\.50x\\+");
        assertThat(table).doesNotContain("p99_ms", "deliveries_per_s");
        String worse = Pair.table("x", List.of(run(50, 40)), List.of(run(100, 20)));
        assertThat(worse).containsPattern("commands_per_s +50\\.0 +100\\.0 +0\\.50x ").containsPattern("2\\.00x ");
        assertThat(worse).doesNotContain("x+");
    }

    @Test
    void aFailedRunLosesItsRoundAndTheTableSaysSo() {
        Result failed = new Result("api", "api c32 b1").put("failed", "java.lang.IllegalStateException: refused");
        String table = Pair.table("api c32 b1", List.of(run(200, 10), failed), List.of(run(100, 20), run(100, 5)));
        assertThat(table).contains("failed runs (their rounds are left out): A 1, B 0")
                .containsPattern("commands_per_s .* 2\\.00x\\+ \\[2\\.00\\.\\.2\\.00] 2\\.00\n");
    }

    @Test
    void theDefaultScenariosAreTheSideBySideRowsOnTheChosenEngines() {
        List<String> memory = selected(pair("--a", "x", "--b", "y"));
        assertThat(memory).containsExactly("conns 18000 @3000/s cold", "fanout 1x10000 max", "fanout 1000x10 @5000/s",
                "fanout 1000x10 max b100", "api c32 b1", "api c32 b100", "api c32 b100 history", "churn w32");
        List<String> redis = selected(pair("--a", "x", "--b", "y", "--engine", "redis"));
        assertThat(redis).contains("redis api c32 b100", "redis api c32 b100 history", "redis fanout 1x10000 max",
                "redis fanout 2 nodes 1x10000 max").allMatch(l -> l.startsWith("redis "));
        assertThatThrownBy(() -> pair("--a", "x").plans()).isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void theFirstScenarioAndTheColdRampGetRunsThatWarmTheGeneratorUp() {
        Pair p = pair("--a", "x", "--b", "y");
        assertThat(p.generatorWarmups).isEqualTo(2);
        List<Suite.Plan> plans = p.plans();
        assertThat(plans.stream().filter(Pair::startsCold).map(Suite.Plan::label))
                .containsExactly("conns 18000 @3000/s cold", "conns 18000 cold");
        List<Suite.Plan> churnFirst = List.of(plan(plans, "churn w32"), plan(plans, "api c32 b1"),
                plan(plans, "conns 18000 @3000/s cold"));
        assertThat(churnFirst.stream().filter(x -> Pair.warmsGeneratorUp(churnFirst, x)).map(Suite.Plan::label))
                .containsExactly("churn w32", "conns 18000 @3000/s cold");
        assertThat(pair("--a", "x", "--b", "y", "--generator-warmups", "0").generatorWarmups).isZero();
        assertThat(pair("--a", "x", "--b", "y").settledWindow).isEqualTo(Pair.IDLE_SETTLED_WINDOW_SECONDS);
    }

    @Test
    void theSuiteGivesTheServerTheLaunchersOptionsFileByDefault() throws Exception {
        Path file = dir.resolve("jvm.options");
        Files.writeString(file, "# comment\n  -XX:+UseParallelGC  \n\n-Dx=a b\n");
        assertThat(Suite.split("@" + file)).containsExactly("-XX:+UseParallelGC", "-Dx=a b");
        assertThat(Suite.split(" -Xmx1g  -Xms1g ")).containsExactly("-Xmx1g", "-Xms1g");
        assertThat(Suite.DEFAULT_JVM_OPTS).isEqualTo("@config/jvm.options");
    }

    private static Suite.Plan plan(List<Suite.Plan> plans, String label) {
        return plans.stream().filter(p -> p.label().equals(label)).findFirst().orElseThrow();
    }

    private static List<String> selected(Pair p) {
        return p.plans().stream().map(Suite.Plan::label).filter(l -> l.matches(Pair.DEFAULT_ONLY)).toList();
    }

    @Test
    void aCommandRunsInTheGivenDirectoryWithTheServerFlagsAndIsSampledAsItself() throws Exception {
        // a stand-in server: records its arguments and working directory, then listens on the --port it was given
        Path script = dir.resolve("server.py");
        Files.writeString(script, """
                import os, socket, sys
                port = int([a for a in sys.argv if a.startswith("--port=")][0].split("=")[1])
                open("args.txt", "w").write(" ".join(sys.argv[1:]) + "\\n" + os.getcwd())
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port)); s.listen(8)
                while True:
                    s.accept()[0].close()
                """);
        LocalProcess p = LocalServer.command("MARK=1 python3 " + script, dir).start(6390);
        try {
            List<String> recorded = Files.readAllLines(dir.resolve("args.txt"));
            assertThat(recorded.get(0)).contains("--address=127.0.0.1", "--port=" + p.port(), "--log_level=error")
                    .containsPattern("--config=\\S+config\\.json");
            assertThat(recorded.get(1)).isEqualTo(dir.toRealPath().toString());
            // exec: the process the suite samples is the server, not a shell around it
            assertThat(ProcessHandle.of(p.pid()).flatMap(h -> h.info().command()).orElse(""))
                    .contains("python3");
            Path config = Path.of(recorded.get(0).replaceAll(".*--config=(\\S+).*", "$1"));
            assertThat(Files.readString(config)).contains("\"redis_port\":\"6390\"");
        } finally {
            p.close();
        }
        assertThat(p.process().isAlive()).isFalse();
        assertThatThrownBy(() -> LocalServer.command(" ", dir)).isInstanceOf(IllegalArgumentException.class);
    }
    @Test
    void aServerIsAtRestOnceItsRssHoldsWithinAMegabyteForASecond() {
        long mb = 1 << 20;
        assertThat(Pair.atRest(List.of(88 * mb, 103 * mb, 103 * mb, 103 * mb))).as("too few samples").isFalse();
        assertThat(Pair.atRest(List.of(88 * mb, 103 * mb, 103 * mb, 103 * mb, 103 * mb))).as("still growing")
                .isFalse();
        assertThat(Pair.atRest(List.of(88 * mb, 103 * mb, 103 * mb + 1000, 103 * mb, 103 * mb + mb / 2,
                103 * mb))).isTrue();
        assertThat(Pair.atRest(List.of(100 * mb, 100 * mb, 100 * mb, 100 * mb, 101 * mb))).isFalse();
    }

    @Test
    void theRampsRssPerConnectionIsAlsoReportedFromTheRestingBaseline() {
        Result ramp = new Result("conns", "conns 18000 @3000/s cold").put("connections", 18_000)
                .put("rss_before_mb", 85.0).put("rss_after_mb", 194.0)
                .put("rss_per_conn_kb", (194.0 - 85.0) * 1024 / 18_000);
        Pair.perConnectionFromRest(ramp, 103L << 20);
        assertThat((double) ramp.values.get("rss_rest_mb")).isEqualTo(103.0);
        assertThat((double) ramp.values.get("rss_per_conn_rest_kb")).isCloseTo((194.0 - 103.0) * 1024 / 18_000,
                offset(1e-9));
        assertThat((double) ramp.values.get("rss_per_conn_kb")).as("the port-open figure stays")
                .isCloseTo(6.2, offset(0.01));

        Result failed = new Result("conns", "conns 18000 @3000/s cold").put("failed", "refused");
        Pair.perConnectionFromRest(failed, 103L << 20);
        assertThat(failed.values).doesNotContainKey("rss_per_conn_rest_kb");
    }

    @Test
    void everyRunSaysHowLongTheServerTookToOpenItsPortAndARampAlsoUntilItsLastConnection() {
        Result ramp = new Result("conns", "conns 18000 cold").put("connections_per_s", 2400.0)
                .put("duration_s", 7.5);
        Pair.withStart(ramp, java.time.Duration.ofMillis(3800));
        assertThat((double) ramp.values.get("start_s")).isEqualTo(3.8);
        assertThat((double) ramp.values.get("start_to_last_s")).isCloseTo(11.3, offset(1e-9));

        Result churn = new Result("churn", "churn w32").put("connections_per_s", 1e4).put("duration_s", 8.0);
        Pair.withStart(churn, java.time.Duration.ofMillis(600));
        assertThat((double) churn.values.get("start_s")).isEqualTo(0.6);
        assertThat(churn.values).as("churn measures after its warm-up").doesNotContainKey("start_to_last_s");
        assertThat(Pair.METRICS).extracting(Pair.Metric::key).contains("start_s", "start_to_last_s");
    }

    @Test
    void theUnpacedColdRampIsAPlanButNotADefaultScenario() {
        assertThat(pair("--a", "x", "--b", "y").plans()).extracting(Suite.Plan::label)
                .contains("conns 18000 cold", "conns 18000 @3000/s cold");
        assertThat("conns 18000 cold").doesNotMatch(Pair.DEFAULT_ONLY);
        assertThat("conns 18000 @3000/s cold").matches(Pair.DEFAULT_ONLY);
    }
}

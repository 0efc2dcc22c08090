package dev.rotor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTest {
    @TempDir
    Path dir;

    private static Result fanout(String label, int rate, double deliveries, double p99) {
        return new Result("fanout", label).put("target_rate", rate).put("deliveries_per_s", deliveries)
                .put("p50_ms", p99 / 4).put("p90_ms", p99 / 2).put("p99_ms", p99);
    }

    @Test
    void mediansArePerLabelAndSkipMissingValues() {
        List<Result> runs = List.of(fanout("a", 5, 100, 3), fanout("a", 5, 300, 1), fanout("a", 5, 200, Double.NaN),
                fanout("b", 0, 10, 1), fanout("b", 0, 20, 2));
        List<Result> m = Suite.medians(runs);
        assertThat(m).extracting(r -> r.label).containsExactly("a", "b");
        assertThat(m.get(0).get("deliveries_per_s")).isEqualTo(200);
        assertThat(m.get(0).get("p99_ms")).isEqualTo(2); // median of 1 and 3, NaN left out
        assertThat(m.get(1).get("deliveries_per_s")).isEqualTo(15);
        assertThat(m.get(0).get("runs")).isEqualTo(3);
    }

    @Test
    void jsonRoundTripAndTable() throws Exception {
        Path file = dir.resolve("r.json");
        BenchMain.JSON.writeValue(file.toFile(), List.of(fanout("x", 5, 12345, 7.5).toMap()));
        List<Result> back = BenchMain.read(file);
        assertThat(back).hasSize(1);
        assertThat(back.get(0).get("deliveries_per_s")).isEqualTo(12345);
        String table = Result.table(back);
        assertThat(table).contains("x").contains("12345").contains("7.500").contains("deliv/s");
    }

    @Test
    void plotWritesAPngOfTheRequestedSize() throws Exception {
        Path png = dir.resolve("p.png");
        Plot.write(List.of(fanout("lo", 5, 50_000, 4), fanout("hi", 30, 300_000, 40), fanout("max", 0, 400_000, 90)),
                "test", png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1100);
        assertThat(img.getHeight()).isEqualTo(460);
        assertThat(Files.size(png)).isGreaterThan(1000);
        assertThatThrownBy(() -> Plot.write(List.of(), "t", dir.resolve("q.png")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targetsAreLoopbackOnly() {
        assertThatThrownBy(() -> new Target("10.0.0.1", 8000, "s", true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Target("127.0.0.1", 8000, "s", false).apiSign(new byte[] {'x'})).hasSize(64);
        assertThat(new Target("::1", 8000, "s", true).apiSign(new byte[] {'x'})).isNull();
    }
}

package dev.rotor.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws a PNG with Java2D: left, delivery latency percentiles (p50, p90, p99, log scale) against load
 * (deliveries/s achieved); right, deliveries/s achieved against publications/s attempted ("max" last). Input is
 * fan-out results of one shape. Stateless.
 */
final class Plot {
    private static final int W = 1100;
    private static final int H = 460;
    private static final Color[] SERIES = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728)};

    private Plot() {
    }

    static void write(List<Result> fanout, String title, Path png) throws IOException {
        List<Result> points = new ArrayList<>(fanout);
        points.removeIf(r -> Double.isNaN(r.get("deliveries_per_s")));
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no fan-out results to plot");
        }
        points.sort(Comparator.comparingDouble(r -> r.get("deliveries_per_s")));
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        latencyPanel(g, points, 70, 50, 460, 340);
        throughputPanel(g, points, 620, 50, 440, 340);
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void latencyPanel(Graphics2D g, List<Result> pts, int x0, int y0, int w, int h) {
        double maxX = pts.stream().mapToDouble(r -> r.get("deliveries_per_s")).max().orElse(1) * 1.1;
        double minMs = 0.1;
        double maxMs = 1;
        for (Result r : pts) {
            for (String k : new String[] {"p50_ms", "p90_ms", "p99_ms"}) {
                double v = r.get(k);
                if (!Double.isNaN(v)) {
                    maxMs = Math.max(maxMs, v);
                    minMs = Math.min(minMs, Math.max(0.01, v));
                }
            }
        }
        double lo = Math.floor(Math.log10(minMs));
        double hi = Math.ceil(Math.log10(maxMs));
        axes(g, x0, y0, w, h, "deliveries/s (load)", "latency, ms (log)");
        for (double e = lo; e <= hi; e++) {
            int y = y0 + h - (int) ((e - lo) / (hi - lo) * h);
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(x0, y, x0 + w, y);
            g.setColor(Color.BLACK);
            g.drawString(Result.format(Math.pow(10, e)), x0 - 45, y + 4);
        }
        xTicks(g, x0, y0, w, h, maxX);
        String[] keys = {"p50_ms", "p90_ms", "p99_ms"};
        for (int s = 0; s < keys.length; s++) {
            g.setColor(SERIES[s]);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (Result r : pts) {
                double v = r.get(keys[s]);
                if (Double.isNaN(v)) {
                    continue;
                }
                int x = x0 + (int) (r.get("deliveries_per_s") / maxX * w);
                int y = y0 + h - (int) ((Math.log10(Math.max(v, 0.01)) - lo) / (hi - lo) * h);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawString(keys[s].replace("_ms", ""), x0 + 10 + s * 60, y0 + 14);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void throughputPanel(Graphics2D g, List<Result> byLoad, int x0, int y0, int w, int h) {
        List<Result> pts = new ArrayList<>(byLoad);
        // by attempted rate, "max" (rate 0) last
        pts.sort(Comparator.comparingDouble(r -> r.get("target_rate") > 0 ? r.get("target_rate") : Double.MAX_VALUE));
        double maxY = pts.stream().mapToDouble(r -> r.get("deliveries_per_s")).max().orElse(1) * 1.15;
        axes(g, x0, y0, w, h, "publications/s attempted", "deliveries/s achieved");
        int bw = Math.max(10, w / (pts.size() * 2));
        for (int i = 0; i < pts.size(); i++) {
            Result r = pts.get(i);
            int x = x0 + (int) ((i + 0.5) * w / pts.size()) - bw / 2;
            int bh = (int) (r.get("deliveries_per_s") / maxY * h);
            g.setColor(SERIES[0]);
            g.fillRect(x, y0 + h - bh, bw, bh);
            g.setColor(Color.BLACK);
            double rate = r.get("target_rate");
            g.drawString(rate > 0 ? String.format("%.0f/s", rate) : "max", x, y0 + h + 16);
            g.drawString(String.format("%.0fk", r.get("deliveries_per_s") / 1000), x, y0 + h - bh - 4);
        }
    }

    private static void axes(Graphics2D g, int x0, int y0, int w, int h, String xLabel, String yLabel) {
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, w, h);
        g.drawString(xLabel, x0 + w / 2 - 60, y0 + h + 36);
        g.drawString(yLabel, x0, y0 - 6);
    }

    private static void xTicks(Graphics2D g, int x0, int y0, int w, int h, double maxX) {
        for (int i = 0; i <= 4; i++) {
            double v = maxX * i / 4;
            int x = x0 + w * i / 4;
            g.drawString(String.format("%.0fk", v / 1000), x - 10, y0 + h + 16);
        }
    }
}

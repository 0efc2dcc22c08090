package dev.rotor.metrics;

import java.util.ArrayDeque;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency histogram in microseconds with v1's two windows: {@code _1_} = the last completed interval,
 * {@code _15_} = the last 15 intervals merged (http-api.md §4.10). Recording is thread-safe and wait-free
 * (HdrHistogram {@link Recorder}); {@link #rotate} must be called by one thread at a time.
 */
final class LatencyHistogram {
    static final int WINDOWS = 15;
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final String[] STAT_SUFFIXES = {
        "count", "microseconds_min", "microseconds_max", "microseconds_mean",
        "microseconds_50%ile", "microseconds_90%ile", "microseconds_99%ile", "microseconds_99.99%ile",
    };
    private static final double[] PERCENTILES = {50, 90, 99, 99.99};

    private final String name;
    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS); // auto-resizing
    private final ArrayDeque<Histogram> windows = new ArrayDeque<>(); // only touched by rotate; oldest first,
                                                                      // at most WINDOWS
    private volatile Histogram lastWindow = new Histogram(SIGNIFICANT_DIGITS); // replaced by rotate
    private volatile Histogram merged = new Histogram(SIGNIFICANT_DIGITS); // replaced by rotate

    LatencyHistogram(String name) {
        this.name = name;
    }

    void record(long micros) {
        recorder.recordValue(Math.max(0, micros));
    }

    /** Closes the current interval: it becomes {@code _1_} and joins the 15-interval merge. */
    void rotate() {
        Histogram interval = recorder.getIntervalHistogram();
        windows.addLast(interval);
        while (windows.size() > WINDOWS) {
            windows.removeFirst();
        }
        Histogram sum = new Histogram(SIGNIFICANT_DIGITS);
        for (Histogram window : windows) {
            sum.add(window);
        }
        lastWindow = interval;
        merged = sum;
    }

    /** Puts the 16 keys of the last rotation into {@code target}. */
    void putStats(Map<String, Long> target) {
        put(target, "1", lastWindow);
        put(target, "15", merged);
    }

    /** Puts the 16 keys with value 0 into {@code target}. */
    void putZeros(Map<String, Long> target) {
        for (String window : new String[] {"1", "15"}) {
            for (String suffix : STAT_SUFFIXES) {
                target.put(key(window, suffix), 0L);
            }
        }
    }

    private void put(Map<String, Long> target, String window, Histogram h) {
        // HdrHistogram reports 0 for min, max, mean and percentiles of an empty histogram.
        target.put(key(window, STAT_SUFFIXES[0]), h.getTotalCount());
        target.put(key(window, STAT_SUFFIXES[1]), h.getMinValue());
        target.put(key(window, STAT_SUFFIXES[2]), h.getMaxValue());
        target.put(key(window, STAT_SUFFIXES[3]), Math.round(h.getMean()));
        for (int i = 0; i < PERCENTILES.length; i++) {
            target.put(key(window, STAT_SUFFIXES[4 + i]), h.getValueAtPercentile(PERCENTILES[i]));
        }
    }

    private String key(String window, String suffix) {
        return name + '_' + window + '_' + suffix;
    }
}

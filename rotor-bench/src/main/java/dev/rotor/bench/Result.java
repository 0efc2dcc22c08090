package dev.rotor.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario run's numbers, by name (e.g. {@code deliveries_per_s}, {@code p99_ms}), in insertion order, with
 * the scenario, its label (parameters in short) and the load average when it ran. Written by one thread, then
 * read-only.
 */
final class Result {
    /** Columns of the text table: metric key and header. */
    static final List<String[]> COLUMNS = List.of(
            new String[] {"rate_per_s", "sent/s"},
            new String[] {"deliveries_per_s", "deliv/s"},
            new String[] {"deliveries_per_cpu_s", "deliv/CPU-s"},
            new String[] {"commands_per_s", "cmds/s"},
            new String[] {"requests_per_s", "req/s"},
            new String[] {"connections_per_s", "conns/s"},
            new String[] {"p50_ms", "p50 ms"},
            new String[] {"p99_ms", "p99 ms"},
            new String[] {"p999_ms", "p99.9 ms"},
            new String[] {"delivery_ratio", "ratio"},
            new String[] {"rss_per_conn_kb", "KB/conn"},
            new String[] {"server_cpu_pct", "srv CPU%"},
            new String[] {"redis_cpu_pct", "redis CPU%"},
            new String[] {"bench_cpu_pct", "gen CPU%"},
            new String[] {"loadavg", "load"});

    final String scenario;
    final String label;
    final Map<String, Object> values = new LinkedHashMap<>();

    Result(String scenario, String label) {
        this.scenario = scenario;
        this.label = label;
    }

    Result put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    double get(String key) {
        Object v = values.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A copy under another label. */
    Result relabel(String newLabel) {
        Result r = new Result(scenario, newLabel);
        r.values.putAll(values);
        return r;
    }

    /** The JSON form: scenario, label, then every value. */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("label", label);
        m.putAll(values);
        return m;
    }

    static Result fromMap(Map<String, Object> m) {
        Result r = new Result((String) m.get("scenario"), (String) m.get("label"));
        m.forEach((k, v) -> {
            if (!k.equals("scenario") && !k.equals("label")) {
                r.put(k, v);
            }
        });
        return r;
    }

    /** A fixed-column text table; absent values print as "-". */
    static String table(List<Result> results) {
        int labelWidth = 12;
        for (Result r : results) {
            labelWidth = Math.max(labelWidth, r.label.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-" + labelWidth + "s", "run"));
        for (String[] c : COLUMNS) {
            sb.append(String.format(" %11s", c[1]));
        }
        sb.append('\n');
        for (Result r : results) {
            sb.append(String.format("%-" + labelWidth + "s", r.label));
            for (String[] c : COLUMNS) {
                double v = r.get(c[0]);
                sb.append(String.format(" %11s", Double.isNaN(v) ? "-" : format(v)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String format(double v) {
        if (v >= 1000) {
            return String.format("%.0f", v);
        }
        if (v >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.3f", v);
    }
}

package org.vmtest.analyzer.patterns;

import java.util.regex.Pattern;

/** Reads a metric's value: a plain number, or a time span as systemd prints it ({@code 1min 2.345s}). */
final class Metrics {
    private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?");
    private static final Pattern SPAN_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(d|h|min|ms|us|µs|s)(?![a-z])");

    private Metrics() {
    }

    /** The value in {@code unit} (a span is converted to seconds, or milliseconds for unit ms); null if unreadable. */
    static Double parse(String text, String unit) {
        if (text == null) return null;
        String t = text.strip();
        if (NUMBER.matcher(t).matches()) return Double.parseDouble(t);
        var m = SPAN_PART.matcher(t);
        double seconds = 0;
        boolean any = false;
        while (m.find()) {
            any = true;
            double v = Double.parseDouble(m.group(1));
            seconds += switch (m.group(2)) {
                case "d" -> v * 86400;
                case "h" -> v * 3600;
                case "min" -> v * 60;
                case "ms" -> v / 1000;
                case "us", "µs" -> v / 1_000_000;
                default -> v;
            };
        }
        if (!any) return null;
        return "ms".equals(unit) ? seconds * 1000 : seconds;
    }
}

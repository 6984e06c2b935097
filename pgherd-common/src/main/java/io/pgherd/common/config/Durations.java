package io.pgherd.common.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in configuration: a number with a unit ({@code ms}, {@code s}, {@code min}/{@code m}, {@code h}); a bare number is seconds. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h)?");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration such as 500ms, 30s, 5min or 1h (got '" + text + "')");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m", "min" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** The shortest exact form: {@code 0}, {@code 250ms}, {@code 30s}, {@code 5min}, {@code 2h}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "min";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}

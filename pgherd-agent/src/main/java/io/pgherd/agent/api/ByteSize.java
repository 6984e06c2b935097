package io.pgherd.agent.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as Patroni's {@code ?lag=} takes them: a number of bytes ({@code 1048576}) or a number with
 * one of PostgreSQL's memory units ({@code B}, {@code kB}, {@code MB}, {@code GB}, {@code TB}; powers
 * of 1024; the case of the unit does not matter).
 */
final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d{1,19})\\s*([a-zA-Z]*)\\s*");

    private ByteSize() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException saying what is wrong, with the text given
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be bytes or a size such as 16kB, 64MB, 1GB (got '" + text + "')");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 0;
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            case "tb" -> 40;
            default -> throw new IllegalArgumentException("unit must be B, kB, MB, GB or TB (got '" + text + "')");
        };
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is too large (got '" + text + "')", e);
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("is too large (got '" + text + "')");
        }
        return number << shift;
    }
}

package io.pgherd.proxy.topology;

/** PostgreSQL WAL positions ({@code pg_lsn}) as unsigned 64-bit numbers. */
public final class Lsn {
    private Lsn() {
    }

    /**
     * Parses {@code X/Y} (hexadecimal halves, as PostgreSQL prints a pg_lsn).
     *
     * @throws IllegalArgumentException when {@code text} is not a WAL position
     */
    public static long parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1 || slash > 8 || t.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not a WAL position (expected X/Y in hexadecimal, like 0/16B3740): " + text);
        }
        for (int i = 0; i < t.length(); i++) {
            if (i != slash && Character.digit(t.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("not a WAL position (expected X/Y in hexadecimal, like 0/16B3740): " + text);
            }
        }
        return (Long.parseLong(t.substring(0, slash), 16) << 32) | Long.parseLong(t.substring(slash + 1), 16);
    }

    /** The text PostgreSQL uses for {@code lsn}. */
    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
    }
}

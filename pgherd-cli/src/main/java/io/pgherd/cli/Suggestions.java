package io.pgherd.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * What a user probably meant by a command or option name that does not exist: the known names
 * nearest to it by edit distance, where swapping two neighbouring letters counts as one edit
 * ({@code lsit} is one edit from {@code list}, four from {@code reinit}). Pure functions.
 */
final class Suggestions {
    /** At most this many names are suggested (all at the same, smallest distance). */
    static final int MAX = 3;

    private Suggestions() {
    }

    /**
     * The known names nearest to {@code typed}, nearest first then alphabetical, at most {@link #MAX}:
     * those within {@link #limit} edits of it (case ignored), and, when none is, those it is the
     * start of (three characters or more: {@code switch} for {@code switchover}). Empty when nothing
     * is close enough to be worth saying.
     */
    static List<String> closest(String typed, Collection<String> known) {
        String t = typed.toLowerCase(Locale.ROOT);
        int limit = limit(stripDashes(t).length());
        int best = Integer.MAX_VALUE;
        TreeSet<String> nearest = new TreeSet<>();
        for (String name : new TreeSet<>(known)) {
            int d = distance(t, name.toLowerCase(Locale.ROOT));
            if (d > limit || d > best) {
                continue;
            }
            if (d < best) {
                best = d;
                nearest.clear();
            }
            nearest.add(name);
        }
        if (nearest.isEmpty() && stripDashes(t).length() >= 3) {
            for (String name : new TreeSet<>(known)) {
                if (name.toLowerCase(Locale.ROOT).startsWith(t)) {
                    nearest.add(name);
                }
            }
        }
        List<String> out = new ArrayList<>(nearest);
        return out.size() > MAX ? out.subList(0, MAX) : out;
    }

    /**
     * How many edits a name of {@code length} characters may be away from what was typed and still
     * be suggested: one for up to four characters, two up to eight, three beyond. More would suggest
     * {@code down} for {@code up}.
     */
    static int limit(int length) {
        return length <= 4 ? 1 : length <= 8 ? 2 : 3;
    }

    /**
     * The optimal-string-alignment distance: insertions, deletions, substitutions and transpositions
     * of two adjacent characters, each one edit (no substring edited twice).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    private static String stripDashes(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i);
    }
}

package io.pgherd.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import io.pgherd.common.text.EditDistance;

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
            int d = EditDistance.between(t, name.toLowerCase(Locale.ROOT));
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

    private static String stripDashes(String name) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == '-') {
            i++;
        }
        return name.substring(i);
    }
}

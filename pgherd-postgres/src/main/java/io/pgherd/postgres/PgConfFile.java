package io.pgherd.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A file in PostgreSQL's configuration syntax ({@code postgresql.conf}, {@code postgresql.auto.conf},
 * included files), read and changed by setting name rather than by editing strings: lines that are
 * not touched keep their text, a changed setting replaces its last occurrence and drops earlier
 * ones, values are always written quoted and escaped. Not thread-safe.
 */
public final class PgConfFile {
    private final List<Line> lines;

    private PgConfFile(List<Line> lines) {
        this.lines = lines;
    }

    /** An empty file. */
    public static PgConfFile empty() {
        return new PgConfFile(new ArrayList<>());
    }

    /** Reads {@code path}; a missing file reads as empty. */
    public static PgConfFile read(Path path) {
        if (!Files.exists(path)) {
            return empty();
        }
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path, e);
        }
    }

    /** Parses configuration text; lines that are not settings (comments, blanks, unparsable) are kept verbatim. */
    public static PgConfFile parse(String text) {
        List<Line> lines = new ArrayList<>();
        for (String raw : text.split("\\R", -1)) {
            lines.add(parseLine(raw));
        }
        if (!lines.isEmpty() && lines.get(lines.size() - 1).text().isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return new PgConfFile(lines);
    }

    /** The value of the last occurrence of {@code name} (case-insensitive), unquoted. */
    public Optional<String> get(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (int i = lines.size() - 1; i >= 0; i--) {
            Line line = lines.get(i);
            if (key.equals(line.name())) {
                return Optional.of(line.value());
            }
        }
        return Optional.empty();
    }

    /** Sets {@code name} to {@code value}: replaces the last occurrence in place, removes earlier ones, or appends. */
    public PgConfFile set(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        Line replacement = new Line(key + " = " + quote(value), key, value);
        int last = -1;
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (key.equals(lines.get(i).name())) {
                if (last < 0) {
                    last = i;
                    lines.set(i, replacement);
                } else {
                    lines.remove(i);
                    last--;
                }
            }
        }
        if (last < 0) {
            lines.add(replacement);
        }
        return this;
    }

    /** Removes every occurrence of {@code name}. */
    public PgConfFile remove(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        lines.removeIf(line -> key.equals(line.name()));
        return this;
    }

    /** Appends a comment line. */
    public PgConfFile comment(String text) {
        lines.add(new Line("# " + text, null, null));
        return this;
    }

    /** The file's text, one line per setting or kept line, ending in a newline. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (Line line : lines) {
            out.append(line.text()).append('\n');
        }
        return out.toString();
    }

    /** Quotes a value for a configuration file: single quotes, with {@code '} and {@code \} escaped. */
    public static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static Line parseLine(String raw) {
        int i = 0;
        int n = raw.length();
        while (i < n && Character.isWhitespace(raw.charAt(i))) {
            i++;
        }
        int nameStart = i;
        while (i < n && isNameChar(raw.charAt(i), i == nameStart)) {
            i++;
        }
        if (i == nameStart) {
            return new Line(raw, null, null);
        }
        String name = raw.substring(nameStart, i).toLowerCase(Locale.ROOT);
        while (i < n && Character.isWhitespace(raw.charAt(i))) {
            i++;
        }
        if (i < n && raw.charAt(i) == '=') {
            i++;
            while (i < n && Character.isWhitespace(raw.charAt(i))) {
                i++;
            }
        }
        String value;
        if (i < n && raw.charAt(i) == '\'') {
            StringBuilder v = new StringBuilder();
            i++;
            boolean closed = false;
            while (i < n) {
                char c = raw.charAt(i);
                if (c == '\\' && i + 1 < n) {
                    v.append(raw.charAt(i + 1));
                    i += 2;
                } else if (c == '\'' && i + 1 < n && raw.charAt(i + 1) == '\'') {
                    v.append('\'');
                    i += 2;
                } else if (c == '\'') {
                    closed = true;
                    i++;
                    break;
                } else {
                    v.append(c);
                    i++;
                }
            }
            if (!closed) {
                return new Line(raw, null, null);
            }
            value = v.toString();
        } else {
            int start = i;
            while (i < n && !Character.isWhitespace(raw.charAt(i)) && raw.charAt(i) != '#') {
                i++;
            }
            value = raw.substring(start, i);
        }
        while (i < n && Character.isWhitespace(raw.charAt(i))) {
            i++;
        }
        if (i < n && raw.charAt(i) != '#') {
            return new Line(raw, null, null);
        }
        return new Line(raw, name, value);
    }

    private static boolean isNameChar(char c, boolean first) {
        return Character.isLetter(c) || c == '_' || (!first && (Character.isDigit(c) || c == '.' || c == '-'));
    }

    /** One line: its text, and the setting it holds ({@code name == null} for comments and blanks). */
    private record Line(String text, String name, String value) {
    }
}

package io.pgherd.proxy.auth;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The users and secrets of a PgBouncer-style {@code auth_file}, loaded once; reload by loading
 * again and swapping.
 *
 * <p>Format, as PgBouncer's: one user per line, {@code "user" "secret"}, both in double quotes,
 * a double quote inside written twice ({@code ""}); anything after the secret on the line is
 * ignored. Blank lines and lines starting with {@code ;} or {@code #} are ignored. The file is
 * UTF-8.
 *
 * <p>Secrets must be SCRAM-SHA-256 or md5 secrets as in {@code pg_authid.rolpassword}. Unlike
 * PgBouncer, pgherd refuses plaintext passwords: the design keeps no password on disk, and a
 * SCRAM secret copied from the servers is what lets the proxy log in to them with the client's
 * recovered keys. For the same reason the servers must hold the same SCRAM secret as the file.
 * A user listed twice is an error too.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the source and the number of users.
 */
public final class AuthFile {

    private final String source;
    private final Map<String, Secret> secrets;

    private AuthFile(String source, Map<String, Secret> secrets) {
        this.source = source;
        this.secrets = Collections.unmodifiableMap(secrets);
    }

    /**
     * Reads and parses the file at {@code path}. Blocking: not on an event loop.
     *
     * @throws AuthFileException if it cannot be read, is not UTF-8, or has bad lines (all of
     *     them are listed)
     */
    public static AuthFile load(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new AuthFileException(path.toString(), "the file is not valid UTF-8", e);
        } catch (IOException e) {
            throw new AuthFileException(path.toString(), e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        return parse(text, path.toString());
    }

    /**
     * Parses the text of an auth file.
     *
     * @param source where it came from, for messages
     * @throws AuthFileException listing every bad line with its number
     */
    public static AuthFile parse(String text, String source) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        Map<String, Secret> secrets = new LinkedHashMap<>();
        Map<String, Integer> lineOfUser = new HashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            try {
                Entry entry = parseLine(lines[i]);
                if (entry == null) {
                    continue;
                }
                Integer first = lineOfUser.putIfAbsent(entry.user, number);
                if (first != null) {
                    throw new IllegalArgumentException("user \"" + entry.user
                            + "\" is already listed on line " + first);
                }
                secrets.put(entry.user, entry.secret);
            } catch (IllegalArgumentException e) {
                problems.add("line " + number + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new AuthFileException(source, problems);
        }
        return new AuthFile(source, secrets);
    }

    private record Entry(String user, Secret secret) {
    }

    /** The entry on one line, or null for a blank or comment line. */
    private static Entry parseLine(String line) {
        LineReader reader = new LineReader(line.endsWith("\r")
                ? line.substring(0, line.length() - 1) : line);
        reader.skipSpaces();
        if (reader.atEnd() || reader.peek() == ';' || reader.peek() == '#') {
            return null;
        }
        String user = reader.quoted("the user name");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("the user name is empty");
        }
        if (!reader.skipSpaces()) {
            // No user name in this message: a missing space after a doubled quote ("a""secret")
            // makes the secret part of what was read as the name.
            throw new IllegalArgumentException("expected white space, then the secret in double"
                    + " quotes, after the user name's closing quote at column " + reader.column()
                    + " (a double quote inside a name is written twice)");
        }
        String secret = reader.quoted("the secret of user \"" + user + "\"");
        try {
            return new Entry(user, Secret.parse(secret));
        } catch (InvalidSecretException e) {
            throw new IllegalArgumentException("user \"" + user + "\": " + e.getMessage(), e);
        }
    }

    /** Reads one line; errors never quote the line, which may hold a password. */
    private static final class LineReader {
        private final String line;
        private int position;

        LineReader(String line) {
            this.line = line;
        }

        boolean atEnd() {
            return position >= line.length();
        }

        /** The 1-based column of the last character read. */
        int column() {
            return position;
        }

        char peek() {
            return line.charAt(position);
        }

        /** Skips spaces and tabs; whether there were any. */
        boolean skipSpaces() {
            int start = position;
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
                position++;
            }
            return position > start;
        }

        String quoted(String what) {
            if (atEnd() || peek() != '"') {
                throw new IllegalArgumentException("expected " + what + " in double quotes at"
                        + " column " + (position + 1) + "; lines are \"user\" \"secret\"");
            }
            int open = position++;
            StringBuilder value = new StringBuilder();
            while (!atEnd()) {
                char c = line.charAt(position++);
                if (c != '"') {
                    value.append(c);
                } else if (!atEnd() && peek() == '"') {
                    value.append('"');
                    position++;
                } else {
                    return value.toString();
                }
            }
            throw new IllegalArgumentException(what + " has no closing double quote (opened at"
                    + " column " + (open + 1) + ")");
        }
    }

    /**
     * The secret of {@code user}.
     *
     * @return empty if the file does not list the user
     */
    public Optional<Secret> lookup(String user) {
        return Optional.ofNullable(secrets.get(user));
    }

    /** The users listed, in file order. */
    public Set<String> users() {
        return secrets.keySet();
    }

    /** Where the file came from. */
    public String source() {
        return source;
    }

    /** Source and number of users; no secrets. */
    @Override
    public String toString() {
        return "AuthFile[" + source + ", " + secrets.size() + " users]";
    }
}

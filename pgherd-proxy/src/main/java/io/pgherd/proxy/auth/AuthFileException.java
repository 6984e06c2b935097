package io.pgherd.proxy.auth;

import java.util.List;

/**
 * An auth file could not be used: it could not be read, or some of its lines are wrong. {@link
 * #problems()} lists every bad line with its number, not only the first; no message contains a
 * secret or a password.
 */
public final class AuthFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    /**
     * @param source the file, for the message
     * @param problems one entry per bad line, e.g. {@code line 3: user name is empty}
     */
    public AuthFileException(String source, List<String> problems) {
        super("invalid auth file " + source + " (" + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + "):\n  "
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** The file could not be read at all. */
    public AuthFileException(String source, String problem, Throwable cause) {
        super("cannot read auth file " + source + ": " + problem, cause);
        this.problems = List.of(problem);
    }

    /** Every problem, one per bad line, in file order. */
    public List<String> problems() {
        return problems;
    }
}

package io.pgherd.common.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration was refused; {@link #problems()} lists every problem found, not only the first. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigProblem> problems;

    public ConfigException(String source, List<ConfigProblem> problems) {
        super("invalid configuration in " + source + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "):\n" + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}

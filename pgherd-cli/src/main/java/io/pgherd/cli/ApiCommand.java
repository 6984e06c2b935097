package io.pgherd.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the commands that call the cluster API share: {@code --api URL}, {@code --token TOKEN} and {@code --dir DIR}
 * (where the defaults of both come from, {@link ApiTarget}), {@code --api-timeout}, and one {@link ApiClient} per run.
 * A malformed option is a usage error (exit 2, every problem on one line); an API that refuses or cannot be reached is a {@link CommandFailure}
 * (exit 1, one line).
 */
abstract class ApiCommand implements Callable<Integer> {
    @Option(names = "--api", paramLabel = "URL", converter = UrlConverter.class,
            description = "The cluster API, such as http://127.0.0.1:8020 (default: the local cluster's controllers in --dir).")
    URI api;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "The API token (default: $" + ApiTarget.TOKEN_ENV + ", else the local cluster's token file"
                    + " DIR/" + LocalAdminToken.FILE + "). Other users may see a command line: prefer $"
                    + ApiTarget.TOKEN_ENV + ".")
    String token;

    @Option(names = "--dir", defaultValue = ".pgherd", paramLabel = "DIR",
            description = "The local cluster ('pgherd up') whose controllers and token file to use when --api or the"
                    + " token are not given (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--api-timeout", defaultValue = "30", paramLabel = "S",
            description = "Seconds to wait for the API's answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() {
        List<String> problems = new ArrayList<>();
        if (timeoutSeconds < 1) {
            problems.add("--api-timeout must be >= 1 second (got " + timeoutSeconds + ")");
        }
        problems.addAll(problems());
        if (!problems.isEmpty()) {
            // One line naming every problem, as for an unknown option (exit 2): the usage would bury it.
            PrintWriter err = spec.commandLine().getErr();
            err.println("pgherd: " + String.join("; ", problems) + "; see '" + spec.qualifiedName() + " --help'");
            err.flush();
            return 2;
        }
        ApiTarget target = ApiTarget.resolve(Optional.ofNullable(api), Optional.ofNullable(token),
                Optional.ofNullable(System.getenv(ApiTarget.TOKEN_ENV)), new ClusterDirectory(dir));
        PrintWriter out = spec.commandLine().getOut();
        try {
            return run(new ApiClient(target, Duration.ofSeconds(timeoutSeconds)), out);
        } finally {
            out.flush();
        }
    }

    /** The problems of the command's own options, checked before anything is asked; none by default. */
    List<String> problems() {
        return List.of();
    }

    /** Does the command's work; returns the exit code. */
    abstract int run(ApiClient client, PrintWriter out);

    /** An {@code http} or {@code https} URL with a host. */
    static final class UrlConverter implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI uri;
            try {
                uri = URI.create(value.strip());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("--api must be a URL such as http://127.0.0.1:8020 (got '" + value
                        + "')");
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new CommandLine.TypeConversionException("--api must be an http:// or https:// URL with a host, such as"
                        + " http://127.0.0.1:8020 (got '" + value + "')");
            }
            return uri;
        }
    }
}

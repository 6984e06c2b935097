package io.pgherd.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import io.pgherd.cluster.Member;
import picocli.CommandLine.Option;

/**
 * Calls to the members' REST APIs (the {@code apiUrl} of each member record) with HTTP basic
 * authentication, for the commands that act on one member's PostgreSQL ({@code restart},
 * {@code reinit}). Never shows the password. Thread-safe.
 */
final class MemberApi {
    /** The options that say how to reach and authenticate to the agents' APIs. */
    static final class Options {
        @Option(names = "--api-user", defaultValue = "pgherd", paramLabel = "USER",
                description = "User of the agents' writing endpoints, as in their agent.api.user (default: ${DEFAULT-VALUE}).")
        String user;

        @Option(names = "--api-password-file", paramLabel = "FILE",
                description = {"File holding that user's password, as the agents' agent.api.password_file; by default the"
                        + " agents use superuser.password in their agent.postgres.credentials_dir (default:"
                        + " superuser.password in --dir, where 'pgherd up' keeps it)."})
        Path passwordFile;

        @Option(names = "--api-timeout", defaultValue = "120", paramLabel = "S",
                description = "Seconds to wait for each member's answer (default: ${DEFAULT-VALUE}; a restart answers when"
                        + " PostgreSQL is back).")
        int timeoutSeconds;

        /**
         * A client with the password read from {@link #passwordFile}, or else from superuser.password in {@code clusterDir}.
         *
         * @throws CommandFailure when the file cannot be read or is empty
         */
        MemberApi client(Path clusterDir) {
            Path passwordFile = this.passwordFile != null ? this.passwordFile
                    : clusterDir.resolve(io.pgherd.postgres.Credentials.SUPERUSER_PASSWORD_FILE);
            String password;
            try {
                password = Files.readString(passwordFile).strip();
            } catch (IOException e) {
                throw new CommandFailure("cannot read the REST API password file " + passwordFile.toAbsolutePath() + " ("
                        + e.getClass().getSimpleName() + "); pass --api-password-file: the agents' agent.api.password_file,"
                        + " by default superuser.password in their credentials directory", e);
            }
            if (password.isEmpty()) {
                throw new CommandFailure("the REST API password file " + passwordFile.toAbsolutePath() + " is empty");
            }
            return new MemberApi(user, password, Duration.ofSeconds(Math.max(1, timeoutSeconds)), passwordFile);
        }
    }

    /**
     * What a member answered.
     *
     * @param status the HTTP status, or 0 when its API could not be reached
     * @param message the answer's text (without the trailing newline and {@code pgherd: } prefix), or why it failed
     */
    record Reply(int status, String message) {
        boolean ok() {
            return status == 200;
        }
    }

    private final HttpClient http;
    private final String user;
    private final String authorization;
    private final Duration timeout;
    private final Path passwordFile;

    private MemberApi(String user, String password, Duration timeout, Path passwordFile) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.user = user;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.passwordFile = passwordFile;
    }

    /** {@code POST path} on {@code member}'s API with {@code json} (null: no body). Never throws for the member's failures. */
    Reply post(Member member, String path, String json) {
        if (member.apiUrl() == null || member.apiUrl().isBlank()) {
            return new Reply(0, "its member record has no REST API address");
        }
        URI uri;
        try {
            uri = URI.create(member.apiUrl().replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            return new Reply(0, "its REST API address " + member.apiUrl() + " is not a URL");
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpTimeoutException e) {
            return new Reply(0, "its REST API at " + uri + " did not answer within " + timeout.toSeconds() + " s (the operation"
                    + " may still go on)");
        } catch (IOException e) {
            return new Reply(0, "could not reach its REST API at " + uri + ": " + (e.getMessage() == null ? e.toString()
                    : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, "interrupted while waiting for its REST API at " + uri);
        }
        if (response.statusCode() == 401) {
            return new Reply(401, "its REST API refused the credentials (user " + user + ", password from " + passwordFile
                    + "); see --api-user and --api-password-file");
        }
        String text = response.body().strip();
        return new Reply(response.statusCode(), text.startsWith("pgherd: ") ? text.substring("pgherd: ".length()) : text);
    }
}

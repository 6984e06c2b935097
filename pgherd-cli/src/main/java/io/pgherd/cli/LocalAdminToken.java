package io.pgherd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.controller.access.AccessDecision;
import io.pgherd.controller.access.AccessException;
import io.pgherd.controller.access.DcsAccess;
import io.pgherd.controller.access.DcsDirectory;
import io.pgherd.controller.access.Directory.IssuedToken;
import io.pgherd.controller.access.Role;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.postgres.SecureFiles;

/**
 * The admin token of a local cluster: {@code pgherd up} makes the user {@value #USER} (role admin) and a token of it
 * that never expires, straight in the DCS (no controller needs to run), and writes the token to {@value #FILE} in the
 * cluster directory, mode 0600; the commands that call the cluster API take it from there when given none. The token
 * is written to that file only: never printed, never logged. A file whose token still authenticates as an admin is
 * kept; otherwise (none, revoked, its user removed) a new token replaces it.
 */
final class LocalAdminToken {
    static final String FILE = "admin.token";
    static final String USER = "admin";
    private static final Duration DCS_TIMEOUT = Duration.ofSeconds(5);

    private LocalAdminToken() {
    }

    static Path file(ClusterDirectory directory) {
        return directory.path().resolve(FILE);
    }

    /** The token in the cluster directory's file; empty when there is no file or it is empty. */
    static Optional<String> read(ClusterDirectory directory) {
        Path file = file(directory);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file).strip()).filter(t -> !t.isEmpty());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** {@link #ensure(ClusterDirectory, LocalState, Clock)} now. */
    static boolean ensure(ClusterDirectory directory, LocalState state) {
        return ensure(directory, state, Clock.systemUTC());
    }

    /**
     * Makes sure the cluster directory's token file holds a token that authenticates as an admin.
     *
     * @return whether a new token was made and written
     * @throws io.pgherd.dcs.DcsException when the DCS does not answer
     */
    static boolean ensure(ClusterDirectory directory, LocalState state, Clock clock) {
        try (Dcs dcs = Dcs.connect(DcsAddress.parse(state.dcs()), DCS_TIMEOUT)) {
            ClusterStore store = new ClusterStore(dcs, state.cluster());
            Optional<String> existing = read(directory);
            if (existing.isPresent() && new DcsAccess(store).authenticate("Bearer " + existing.get(), "pgherd up",
                    clock.instant()) instanceof AccessDecision.Granted granted && granted.principal().role() == Role.ADMIN) {
                return false;
            }
            DcsDirectory users = new DcsDirectory(store, clock);
            try {
                users.addUser(USER, Role.ADMIN);
            } catch (AccessException e) {
                if (e.kind() != AccessException.Kind.CONFLICT) {
                    throw e;
                }
            }
            IssuedToken issued = users.createToken(USER, Optional.empty());
            SecureFiles.write(file(directory), issued.secret() + "\n", null);
            return true;
        }
    }
}

package io.pgherd.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * The operating-system user that PostgreSQL's server binaries run as. {@code initdb}, {@code pg_ctl}
 * and {@code postgres} refuse to run as root, so when this JVM runs as root they run as the
 * {@code postgres} OS user through {@code runuser}, and the directories they need are handed to that
 * user. Otherwise they run as the current user. Immutable and thread-safe.
 *
 * @param name the OS user name the servers run as
 * @param switchFromRoot whether commands are wrapped in {@code runuser -u name --}
 */
public record ServerUser(String name, boolean switchFromRoot) {
    /** The OS user used for the servers when this process runs as root. */
    public static final String ROOT_DELEGATE = "postgres";

    /**
     * Works out who the servers run as.
     *
     * @throws PostgresException when running as root and the {@code postgres} OS user does not exist
     */
    public static ServerUser detect() {
        if (currentUid() != 0) {
            return new ServerUser(System.getProperty("user.name"), false);
        }
        try {
            UserPrincipalLookupService lookup = Path.of("/").getFileSystem().getUserPrincipalLookupService();
            lookup.lookupPrincipalByName(ROOT_DELEGATE);
        } catch (IOException e) {
            throw new PostgresException("running as root, but there is no '" + ROOT_DELEGATE
                    + "' OS user to run PostgreSQL as (PostgreSQL refuses to run as root): create it with"
                    + " 'useradd --system --user-group postgres', install the postgresql package, or run pgherd as"
                    + " a normal user");
        }
        return new ServerUser(ROOT_DELEGATE, true);
    }

    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** The argument vector that runs {@code argv} as this user. */
    public List<String> wrap(List<String> argv) {
        if (!switchFromRoot) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of(runuser(), "-u", name, "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /** Hands {@code path} (not recursively) to this user and its primary group when switching from root. */
    public void own(Path path) {
        if (!switchFromRoot) {
            return;
        }
        try {
            UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal owner = lookup.lookupPrincipalByName(name);
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(name);
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setOwner(owner);
            view.setGroup(group);
        } catch (IOException e) {
            throw new UncheckedIOException("could not hand " + path + " to OS user " + name, e);
        }
    }

    private static String runuser() {
        for (String candidate : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "runuser";
    }
}

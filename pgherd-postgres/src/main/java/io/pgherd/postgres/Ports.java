package io.pgherd.postgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/** Loopback TCP ports: whether one is free, and which process listens on it (from {@code /proc}, when readable). */
public final class Ports {
    private Ports() {
    }

    /** Whether a server could listen on {@code 127.0.0.1:port} right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fails unless {@code port} is free.
     *
     * @throws PortInUseException naming the port, what needed it and the listening process if it can be found
     */
    public static void requireFree(int port, String purpose) {
        if (!isFree(port)) {
            throw new PortInUseException(port, "port " + port + " on 127.0.0.1 (wanted by " + purpose
                    + ") is already in use by " + holder(port) + "; stop that process or choose another port");
        }
    }

    /**
     * Who holds {@code port}, for messages: {@code pid N (command line)} when {@code /proc} tells, else
     * {@code another process} (one of another user, whose sockets this process may not see).
     */
    public static String holder(int port) {
        return listener(port).orElse("another process (not visible to this user)");
    }

    /** The first free port at or after {@code from} that is not in {@code taken}. */
    public static int nextFree(int from, Set<Integer> taken) {
        for (int port = from; port <= 65535; port++) {
            if (!taken.contains(port) && isFree(port)) {
                return port;
            }
        }
        throw new PostgresException("no free TCP port at or above " + from);
    }

    /** The process listening on {@code port}, as {@code pid N (command line)}, if {@code /proc} tells. */
    public static Optional<String> listener(int port) {
        return listeningInode(port).flatMap(Ports::processOwning).map(Ports::describe);
    }

    /** The PID of the process listening on {@code port}, if {@code /proc} tells. */
    public static OptionalLong listenerPid(int port) {
        return listeningInode(port).flatMap(Ports::processOwning)
                .map(proc -> OptionalLong.of(Long.parseLong(proc.getFileName().toString()))).orElse(OptionalLong.empty());
    }

    private static Optional<String> listeningInode(int port) {
        return Stream.of("/proc/net/tcp", "/proc/net/tcp6").flatMap(file -> listeningInodes(Path.of(file), port)).findFirst();
    }

    private static Stream<String> listeningInodes(Path table, int port) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return Stream.empty();
        }
        return lines.stream().skip(1).map(line -> listeningInode(line, port)).flatMap(Optional::stream);
    }

    /**
     * The socket inode of one line of {@code /proc/net/tcp} or {@code /proc/net/tcp6} when it is a socket
     * listening (state {@code 0A}) on local port {@code port}, any address; empty for any other line (a
     * header, a connection, another port, an inode of 0: a socket being torn down).
     */
    static Optional<String> listeningInode(String line, int port) {
        String[] f = line.trim().split("\\s+");
        if (f.length <= 9 || !f[3].equals("0A")) {
            return Optional.empty();
        }
        int colon = f[1].lastIndexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            if (Integer.parseInt(f[1].substring(colon + 1), 16) != port) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return f[9].equals("0") ? Optional.empty() : Optional.of(f[9]);
    }

    /** The {@code /proc/PID} directory of a process that holds the socket {@code inode} open. */
    private static Optional<Path> processOwning(String inode) {
        String target = "socket:[" + inode + "]";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> holdsSocket(p, target)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean holdsSocket(Path proc, String target) {
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(target);
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private static String describe(Path proc) {
        String command;
        try {
            command = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
        } catch (IOException e) {
            command = "?";
        }
        if (command.length() > 100) {
            command = command.substring(0, 97) + "...";
        }
        return "pid " + proc.getFileName() + " (" + command + ")";
    }
}

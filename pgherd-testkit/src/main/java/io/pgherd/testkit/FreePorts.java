package io.pgherd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Free loopback TCP ports for test servers, never handed out twice by this JVM (a port freed by one
 * test is not reused by the next, so a slow shutdown cannot collide). They are taken below the
 * kernel's ephemeral range (32768 and up on Linux), from a random start per JVM: a server port in
 * that range can be taken at any moment as the local end of some client's outgoing connection
 * (PostgreSQL then refuses to start with "port in use" for as long as that connection lives).
 * Thread-safe.
 */
public final class FreePorts {
    private static final int LOWEST = 20_000;
    private static final int ABOVE_HIGHEST = 32_768;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static int next = LOWEST + new java.util.Random().nextInt(ABOVE_HIGHEST - LOWEST);

    private FreePorts() {
    }

    /** {@code count} distinct ports that were free a moment ago. */
    public static synchronized List<Integer> allocate(int count) {
        List<ServerSocket> held = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            for (int tried = 0; ports.size() < count; tried++) {
                if (tried > ABOVE_HIGHEST - LOWEST) {
                    throw new UncheckedIOException(new IOException("could not find " + count + " free ports in "
                            + LOWEST + ".." + (ABOVE_HIGHEST - 1)));
                }
                int port = next;
                next = next + 1 < ABOVE_HIGHEST ? next + 1 : LOWEST;
                if (HANDED_OUT.contains(port)) {
                    continue;
                }
                ServerSocket socket = new ServerSocket();
                held.add(socket);
                try {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                } catch (IOException taken) {
                    continue;
                }
                HANDED_OUT.add(port);
                ports.add(port);
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("could not find " + count + " free ports", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing a listening socket that accepted nothing cannot lose anything.
                }
            }
        }
    }

    /** One free port. */
    public static int allocate() {
        return allocate(1).get(0);
    }
}

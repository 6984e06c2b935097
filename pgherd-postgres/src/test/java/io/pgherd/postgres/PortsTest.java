package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Real sockets on loopback: a listening socket of this JVM must be seen as taken, and by whom. */
class PortsTest {
    @Test
    void aListeningPortIsTakenAndItsProcessIsNamed() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = socket.getLocalPort();
            assertThat(Ports.isFree(port)).isFalse();
            assertThat(Ports.listener(port)).hasValueSatisfying(
                    who -> assertThat(who).startsWith("pid " + ProcessHandle.current().pid() + " (").contains("java"));
            assertThatThrownBy(() -> Ports.requireFree(port, "a test"))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageStartingWith("port " + port + " on 127.0.0.1 (wanted by a test) is already in use by pid ")
                    .hasMessageEndingWith("; stop that process or choose another port");
            assertThat(Ports.nextFree(port, Set.of())).isGreaterThan(port);
            assertThat(Ports.nextFree(port, Set.of(port + 1))).isNotEqualTo(port + 1);
        }
    }

    @Test
    void aClosedPortIsFreeAndHasNoListener() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        assertThat(Ports.isFree(port)).isTrue();
        assertThat(Ports.listener(port)).isEmpty();
    }
}

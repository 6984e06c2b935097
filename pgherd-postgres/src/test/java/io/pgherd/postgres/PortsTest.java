package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.OptionalLong;
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

    @Test
    void aListeningProcessIsFoundByPid() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(Ports.listenerPid(socket.getLocalPort())).isEqualTo(OptionalLong.of(ProcessHandle.current().pid()));
            assertThat(Ports.holder(socket.getLocalPort())).startsWith("pid " + ProcessHandle.current().pid() + " (");
        }
    }

    /** Lines as the kernel writes them (copied from a real /proc/net/tcp and tcp6), for port 0xD6D7 = 55001. */
    @Test
    void procNetTcpLinesAreParsedForListenersOfOnePort() {
        String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        String listening = "   0: 0100007F:D6D7 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1631245 1"
                + " 0000000084f3e181 100 0 0 10 0";
        String anyAddress = "   1: 00000000:D6D7 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1063 1"
                + " 00000000d3d05ca7 100 0 0 10 0";
        String tcp6 = "   0: 0000000000000000FFFF00000100007F:D6D7 00000000000000000000000000000000:0000 0A 00000000:00000000"
                + " 00:00000000 00000000     0        0 1630659 1 000000003c8ad9dc 100 0 0 10 0";
        String established = "   2: 0100007F:D6D7 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   101        0 1631300 1"
                + " 0000000084f3e181 20 4 30 10 -1";
        String otherPort = "   3: 0100007F:D6D8 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1631246 1"
                + " 0000000084f3e181 100 0 0 10 0";
        String noInode = "   4: 0100007F:D6D7 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 0 1"
                + " 0000000084f3e181 100 0 0 10 0";
        int port = 0xD6D7;
        assertThat(Ports.listeningInode(header, port)).isEmpty();
        assertThat(Ports.listeningInode(listening, port)).isEqualTo(Optional.of("1631245"));
        assertThat(Ports.listeningInode(anyAddress, port)).isEqualTo(Optional.of("1063"));
        assertThat(Ports.listeningInode(tcp6, port)).isEqualTo(Optional.of("1630659"));
        assertThat(Ports.listeningInode(established, port)).as("a connection, not a listener").isEmpty();
        assertThat(Ports.listeningInode(otherPort, port)).isEmpty();
        assertThat(Ports.listeningInode(noInode, port)).isEmpty();
        assertThat(Ports.listeningInode("", port)).isEmpty();
        assertThat(Ports.listeningInode("garbage: x:zz y 0A a b c d e f", port)).isEmpty();
    }
}

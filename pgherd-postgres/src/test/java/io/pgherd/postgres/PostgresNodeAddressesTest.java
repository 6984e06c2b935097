package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The addresses a node's files name: what it listens on ({@code listen_addresses}) and where it streams from
 * ({@code primary_conninfo}): the addresses given, 127.0.0.1 only for a node made without them.
 */
class PostgresNodeAddressesTest {
    @TempDir
    Path tmp;

    private PostgresNode node(String host, List<String> listen) throws Exception {
        Files.createDirectories(tmp.resolve("n1/data"));
        return new PostgresNode("n1", tmp.resolve("n1"), host, 5432, listen, new PgBinaries(tmp.resolve("bin"), "15.0", 15),
                new CommandRunner(ServerUser.detect()));
    }

    private String managed(String key) {
        return PgConfFile.read(tmp.resolve("n1/data").resolve(PostgresNode.MANAGED_CONF)).get(key).orElseThrow();
    }

    private String auto(String key) {
        return PgConfFile.read(tmp.resolve("n1/data/postgresql.auto.conf")).get(key).orElseThrow();
    }

    @Test
    void aNodeListensOnItsAddressesAndStreamsFromTheOnesItIsGiven() throws Exception {
        PostgresNode node = node("127.0.0.1", List.of("10.0.0.5", "127.0.0.1"));

        node.writeConfiguration(Map.of());
        node.follow("10.0.0.7", 5433, "replicator", Path.of("/etc/pgherd/replication.pgpass"), "n1");

        assertThat(managed("listen_addresses")).isEqualTo("10.0.0.5,127.0.0.1");
        assertThat(auto("primary_conninfo")).startsWith("host=10.0.0.7 port=5433 user=replicator ")
                .contains("application_name=n1");
        assertThat(node.followedHost()).isEqualTo("10.0.0.7");
        assertThat(node.followedPort()).isEqualTo(5433);
        assertThat(node.host()).isEqualTo("127.0.0.1");
    }

    @Test
    void aNodeMadeWithoutAddressesKeepsToLoopback() throws Exception {
        Files.createDirectories(tmp.resolve("n1/data"));
        PostgresNode node = new PostgresNode("n1", tmp.resolve("n1"), 5432, new PgBinaries(tmp.resolve("bin"), "15.0", 15),
                new CommandRunner(ServerUser.detect()));

        node.writeConfiguration(Map.of());
        node.follow(5433, "replicator", Path.of("/tmp/replication.pgpass"), "n1");

        assertThat(managed("listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(auto("primary_conninfo")).startsWith("host=127.0.0.1 port=5433 ");
        assertThat(node.host()).isEqualTo("127.0.0.1");
        assertThat(node.followedHost()).isEqualTo("127.0.0.1");
        assertThat(node.toString()).contains("127.0.0.1:5432");
    }

    @Test
    void aNodeFollowingNobodyHasNoFollowedAddress() throws Exception {
        PostgresNode node = node("10.0.0.5", List.of("10.0.0.5"));
        assertThat(node.followedHost()).isEmpty();
        assertThat(node.followedPort()).isEqualTo(-1);
        assertThat(node.toString()).contains("10.0.0.5:5432");
    }
}

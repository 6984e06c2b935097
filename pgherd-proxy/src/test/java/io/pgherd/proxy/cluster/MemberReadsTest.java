package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.pgherd.proxy.config.ProxyConfig.Node;
import io.pgherd.proxy.config.ProxyConfig.Role;

class MemberReadsTest {
    private static final List<Node> NODES = List.of(new Node("node1", "127.0.0.1", 5001, Role.PRIMARY, 1),
            new Node("node2", "127.0.0.1", 5002, Role.STANDBY, 1), new Node("node3", "127.0.0.1", 5003, Role.REPLICA, 3));

    /** One row: who leads, which members have a record, which nodes are kept out of the read pool. */
    record Row(String story, Optional<String> leader, Set<String> recorded, Set<String> keptOut) {
        @Override
        public String toString() {
            return story;
        }
    }

    static List<Row> rows() {
        return List.of(
                new Row("every agent runs: nobody is kept out", Optional.of("node1"), Set.of("node1", "node2", "node3"), Set.of()),
                new Row("a replica's agent stopped: its record is gone", Optional.of("node1"), Set.of("node1", "node2"),
                        Set.of("node3")),
                new Row("a standby's agent died (TTL expired)", Optional.of("node1"), Set.of("node1", "node3"), Set.of("node2")),
                new Row("the leader without a record still holds the key: never kept out", Optional.of("node1"),
                        Set.of("node2", "node3"), Set.of()),
                new Row("a new leader elsewhere; the old primary's agent is gone", Optional.of("node2"), Set.of("node2", "node3"),
                        Set.of("node1")),
                new Row("nobody leads and no agent runs: every node is kept out", Optional.empty(), Set.of(),
                        Set.of("node1", "node2", "node3")),
                new Row("nobody leads, the agents run: nobody is kept out", Optional.empty(), Set.of("node1", "node2", "node3"),
                        Set.of()),
                new Row("records of members the proxy does not route to change nothing", Optional.of("node1"),
                        Set.of("node1", "node2", "node3", "node9"), Set.of()),
                new Row("the record is back: the replica takes reads again", Optional.of("node1"), Set.of("node1", "node2", "node3"),
                        Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void nodesWithoutAMemberRecordAreKeptOutOfTheReadPool(Row row) {
        var keptOut = MemberReads.keptOut(row.leader(), row.recorded(), NODES);
        assertThat(keptOut.keySet()).as(row.story()).isEqualTo(row.keptOut());
        assertThat(keptOut.values()).allMatch(MemberReads.NO_RECORD::equals);
    }
}

package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.proxy.ProxyConfig.Node;
import io.pgherd.proxy.ProxyConfig.Role;
import io.pgherd.proxy.cluster.ClusterNodes.MemberRecord;

class ClusterNodesTest {
    private static final List<Node> STATIC = List.of(new Node("node1", "127.0.0.1", 5001, Role.PRIMARY, 1),
            new Node("node2", "127.0.0.1", 5002, Role.STANDBY, 1), new Node("node3", "127.0.0.1", 5003, Role.REPLICA, 3));

    private static Map<String, MemberRecord> members(MemberRecord... records) {
        Map<String, MemberRecord> out = new java.util.HashMap<>();
        for (MemberRecord r : records) {
            out.put(r.name(), r);
        }
        return out;
    }

    private static MemberRecord standby(String name, int port) {
        return new MemberRecord(name, "127.0.0.1", port, false, false);
    }

    @Test
    void theLeaderIsThePrimaryAndTheOldPrimaryBecomesAStandby() {
        Optional<List<Node>> next = ClusterNodes.follow(Optional.of("node2"), members(standby("node1", 5001),
                standby("node2", 5002), new MemberRecord("node3", "127.0.0.1", 5003, true, false)), STATIC);

        assertThat(next).contains(List.of(new Node("node2", "127.0.0.1", 5002, Role.PRIMARY, 1),
                new Node("node1", "127.0.0.1", 5001, Role.STANDBY, 1), new Node("node3", "127.0.0.1", 5003, Role.REPLICA, 3)));
    }

    @Test
    void nothingChangesWhileTheSameMemberLeadsOrNobodyDoes() {
        Map<String, MemberRecord> all = members(standby("node1", 5001), standby("node2", 5002),
                new MemberRecord("node3", "127.0.0.1", 5003, true, false));
        assertThat(ClusterNodes.follow(Optional.of("node1"), all, STATIC)).isEmpty();
        assertThat(ClusterNodes.follow(Optional.empty(), all, STATIC)).as("no leader: the last primary stays").isEmpty();
    }

    @Test
    void aMemberWhoseRecordIsGoneKeepsItsPlaceAndALeaderWithoutAnyRecordIsIgnored() {
        Optional<List<Node>> next = ClusterNodes.follow(Optional.of("node2"), members(standby("node2", 5002)), STATIC);
        assertThat(next).contains(List.of(new Node("node2", "127.0.0.1", 5002, Role.PRIMARY, 1),
                new Node("node1", "127.0.0.1", 5001, Role.STANDBY, 1), new Node("node3", "127.0.0.1", 5003, Role.REPLICA, 3)));

        assertThat(ClusterNodes.follow(Optional.of("node9"), members(standby("node2", 5002)), STATIC)).isEmpty();
    }

    @Test
    void newMembersJoinAndNoloadbalanceTakesNoReads() {
        Optional<List<Node>> next = ClusterNodes.follow(Optional.of("node1"), members(standby("node1", 5001),
                new MemberRecord("node2", "127.0.0.1", 5002, false, true), standby("node4", 5004)), STATIC);

        assertThat(next).contains(List.of(new Node("node1", "127.0.0.1", 5001, Role.PRIMARY, 1),
                new Node("node2", "127.0.0.1", 5002, Role.STANDBY, 0), new Node("node3", "127.0.0.1", 5003, Role.REPLICA, 3),
                new Node("node4", "127.0.0.1", 5004, Role.STANDBY, 1)));
    }

    @Test
    void memberRecordsAreReadFromTheAgentsJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(MemberRecord.of(json.readTree("{\"name\":\"node3\",\"host\":\"127.0.0.1\",\"port\":5003,"
                + "\"noFailover\":true,\"noLoadBalance\":false,\"state\":\"streaming\"}")))
                .contains(new MemberRecord("node3", "127.0.0.1", 5003, true, false));
        assertThat(MemberRecord.of(json.readTree("{\"name\":\"node3\",\"port\":5003}"))).isEmpty();
        assertThat(MemberRecord.of(json.readTree("{\"name\":\"node3\",\"host\":\"h\",\"port\":0}"))).isEmpty();
        assertThat(MemberRecord.of(null)).isEmpty();
    }
}

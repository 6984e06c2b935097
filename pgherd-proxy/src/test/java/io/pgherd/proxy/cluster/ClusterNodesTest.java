package io.pgherd.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.Member;
import io.pgherd.proxy.cluster.ClusterNodes.MemberRecord;
import io.pgherd.proxy.config.ProxyConfig.Node;
import io.pgherd.proxy.config.ProxyConfig.Role;

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
    void memberRecordsAreReadFromTheAgentsJson() {
        assertThat(MemberRecord.of(member("{\"name\":\"node3\",\"host\":\"127.0.0.1\",\"port\":5003,"
                + "\"noFailover\":true,\"noLoadBalance\":false,\"state\":\"streaming\"}")))
                .contains(new MemberRecord("node3", "127.0.0.1", 5003, true, false));
        assertThat(MemberRecord.of(member("{\"name\":\"node3\",\"port\":5003}"))).isEmpty();
        assertThat(MemberRecord.of(member("{\"name\":\"node3\",\"host\":\"h\",\"port\":0}"))).isEmpty();
        assertThat(MemberRecord.of(null)).isEmpty();
        assertThat(MemberRecord.of(member("{\"name\":\"spare1\",\"role\":\"spare\",\"host\":\"127.0.0.1\",\"port\":5009}")))
                .as("a spare waiting for an assignment has no server to route to").isEmpty();
        assertThat(MemberRecord.of(member("{\"name\":\"spare1\",\"role\":\"replica\",\"host\":\"127.0.0.1\",\"port\":5009,"
                + "\"no_failover\":true}"))).as("an assigned spare is a read replica").isPresent();
    }

    /**
     * What used to break silently: the agent wrote its member record from the Java names of its own class
     * and the proxy read them back by hand ({@code path("noFailover")}), so renaming the field sent read
     * replicas into the standby pool. Now both go through the model's {@link Member}: the record an agent
     * publishes ({@link io.pgherd.cluster.ClusterStore#publish} writes {@link ClusterJson#write}) is what the
     * proxy routes by, a rename breaks compilation or the golden JSON test, and a record of the previous
     * release's agent still routes the same.
     */
    @Test
    void theProxyRoutesAMemberByTheRecordTheAgentPublishes() {
        Member replica = new Member("node3", "replica", "streaming", "127.0.0.1", 5003, "http://127.0.0.1:8010", true, true, 3,
                100, 90, true, 0, "node1", false, List.of(), true, false);
        Member standby = new Member("node2", "standby", "streaming", "127.0.0.1", 5002, "http://127.0.0.1:8009", true, true, 3,
                100, 90, false, 1, "node1");
        Map<String, MemberRecord> seen = members(MemberRecord.of(member(ClusterJson.write(replica))).orElseThrow(),
                MemberRecord.of(member(ClusterJson.write(standby))).orElseThrow(), standby("node1", 5001));

        assertThat(ClusterNodes.follow(Optional.of("node1"), seen, List.of())).contains(List.of(
                new Node("node1", "127.0.0.1", 5001, Role.PRIMARY, 1),
                new Node("node2", "127.0.0.1", 5002, Role.STANDBY, 1),
                new Node("node3", "127.0.0.1", 5003, Role.REPLICA, 0)));
        // The same member as the previous release's agent wrote it (Java field names).
        String previous = "{\"name\":\"node3\",\"role\":\"replica\",\"state\":\"streaming\",\"host\":\"127.0.0.1\","
                + "\"port\":5003,\"apiUrl\":\"http://127.0.0.1:8010\",\"running\":true,\"inRecovery\":true,\"timeline\":3,"
                + "\"position\":100,\"replayed\":90,\"noFailover\":true,\"failoverPriority\":0,\"following\":\"node1\","
                + "\"pendingRestart\":false,\"pendingRestartParameters\":[],\"noLoadBalance\":true,\"cloneFrom\":false}";
        assertThat(member(previous)).isEqualTo(replica);
    }

    /** A member record as the proxy's cluster store reads it. */
    private static Member member(String json) {
        return ClusterJson.read("/pgherd/main/members/x", json, Member.class);
    }
}

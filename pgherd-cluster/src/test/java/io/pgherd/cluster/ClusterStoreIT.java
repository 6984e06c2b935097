package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.EmbeddedZooKeeper;
import io.pgherd.dcs.Session;
import io.pgherd.testkit.FreePorts;
import io.pgherd.testkit.TestDirectories;

/** The store against a real (embedded) ZooKeeper: the previous release's values read as one snapshot, reporting, CAS. */
class ClusterStoreIT {
    private EmbeddedZooKeeper zooKeeper;
    private Dcs dcs;
    private ClusterStore store;
    private ClusterKeys keys;

    @BeforeEach
    void start() {
        zooKeeper = EmbeddedZooKeeper.start(TestDirectories.create("cluster-store-zk"), FreePorts.allocate(), Duration.ofMillis(200));
        dcs = Dcs.connect("zookeeper://127.0.0.1:" + zooKeeper.port(), Duration.ofSeconds(3));
        store = new ClusterStore(dcs, "main");
        keys = store.keys();
    }

    @AfterEach
    void stop() {
        dcs.close();
        zooKeeper.close();
    }

    @Test
    void readsEveryKeyThePreviousReleaseWroteAsOneSnapshot() {
        Session session = dcs.openSession(Duration.ofSeconds(10));
        dcs.putEphemeral(keys.member("node1"), Samples.text("previous/member-node1.json"), session);
        dcs.putEphemeral(keys.member("node3"), Samples.text("previous/member-node3.json"), session);
        long epoch = dcs.createEphemeral(keys.leader(), Samples.text("previous/leader.json"), session).orElseThrow().createRevision();
        dcs.createIfAbsent(keys.initialize(), Samples.text("previous/initialize.json"));
        dcs.put(keys.status(), Samples.text("previous/status.json"));
        dcs.put(keys.sync(), Samples.text("previous/sync.json"));
        dcs.put(keys.failover(), Samples.text("previous/failover.json"));
        dcs.put(keys.config(), Samples.text("previous/config.json"));
        dcs.put(keys.history(), Samples.text("previous/history.json"));
        dcs.putEphemeral(keys.proxy("127.0.0.1:6432"), Samples.text("previous/proxy.json"), session);
        dcs.put(keys.spec(), Samples.text("written/spec.json"));
        dcs.put(keys.task(Samples.TASK.id()), Samples.text("written/task.json"));

        ClusterSnapshot s = store.read();

        assertThat(s.leader().map(Leader::member)).contains("node1");
        assertThat(s.leader().map(Leader::epoch)).contains(epoch);
        assertThat(s.members()).containsExactlyEntriesOf(new java.util.TreeMap<>(java.util.Map.of("node1", Samples.NODE1,
                "node3", Samples.NODE3)));
        assertThat(s.initializedBy()).contains("node1");
        assertThat(s.lastLeaderPosition()).isEqualTo(Samples.STATUS.position());
        assertThat(s.sync()).contains(Samples.SYNC);
        assertThat(s.failover()).contains(Samples.FAILOVER);
        assertThat(s.failoverRevision()).isEqualTo(store.failoverRevision().orElseThrow());
        assertThat(s.config().pause()).isTrue();
        assertThat(s.history().entries()).containsExactly(Samples.PROMOTION);
        assertThat(s.proxies().values()).containsExactly(Samples.PROXY);
        assertThat(s.spec()).contains(Samples.SPEC);
        assertThat(s.tasks().values()).containsExactly(Samples.TASK);
        assertThat(store.unreadable().count()).isZero();
        assertThat(s.systemId()).as("a release before system_id").isEmpty();
        assertThat(s.exists()).isTrue();
    }

    @Test
    void theSystemIdentifierIsRecordedAndReadBackAndMarksTheNameAsHeld() {
        assertThat(store.read().exists()).isFalse();
        store.recordSystemId("7312345678901234567");
        ClusterSnapshot s = store.read();
        assertThat(s.systemId()).contains("7312345678901234567");
        assertThat(s.exists()).isTrue();
        assertThat(dcs.get(keys.systemId()).orElseThrow().value()).isEqualTo("7312345678901234567");
        assertThat(new ClusterStore(dcs, "another").read().exists()).isFalse();
    }

    @Test
    void anUnreadableRecordIsCountedAndSkippedNotTakenForAnother() {
        Session session = dcs.openSession(Duration.ofSeconds(10));
        dcs.putEphemeral(keys.member("node1"), Samples.text("previous/member-node1.json"), session);
        dcs.putEphemeral(keys.member("node2"), "{\"name\":\"node2\",", session);
        dcs.putEphemeral(keys.proxy("p1"), "not json", session);
        dcs.put(keys.sync(), "[]");

        ClusterSnapshot first = store.read();
        ClusterSnapshot second = store.read();

        assertThat(first.members()).containsOnlyKeys("node1");
        assertThat(second.members()).containsOnlyKeys("node1");
        assertThat(first.proxies().values()).as("a proxy whose record cannot be read acknowledges nothing")
                .containsExactly(new ProxyRecord("p1", 0, 0));
        assertThat(first.sync()).as("an unreadable sync key names nobody").contains(SyncState.NOBODY);
        assertThat(store.unreadable().count()).isEqualTo(6);
    }

    @Test
    void compareAndSetGivesUpWithTheKeyAndTheNumberOfTries() {
        int[] tries = {0};
        assertThatThrownBy(() -> store.patchConfig(object("ttl", 20), patched -> {
            tries[0]++;
            dcs.put(keys.config(), "{\"ttl\":" + (30 + tries[0]) + "}"); // another writer, every time
        })).isInstanceOf(ConflictException.class)
                .hasMessage(keys.config() + ": kept changing under 10 compare-and-set tries; nothing was written, try again");
        assertThat(tries[0]).isEqualTo(ClusterStore.MAX_TRIES);
        assertThat(store.readConfig().document().path("ttl").asInt()).isEqualTo(30 + ClusterStore.MAX_TRIES);
    }

    @Test
    void historyIsAppendedAndAmendedWithCompareAndSet() {
        store.appendHistory(Samples.PROMOTION);
        HistoryEntry.ProxyTimeline mine = new HistoryEntry.ProxyTimeline(1, 2, 3, 4, 2, 17);
        boolean written = store.updateHistory(h -> {
            int i = h.promotionOf("node2", 17);
            return i < 0 ? Optional.empty() : Optional.of(h.replace(i, h.entries().get(i).withProxy("p2", mine)));
        });
        assertThat(written).isTrue();
        assertThat(store.history().entries()).hasSize(1);
        assertThat(store.history().entries().get(0).proxies()).containsKeys("127.0.0.1:6432", "p2");
        assertThat(store.updateHistory(h -> Optional.empty())).isFalse();
        assertThat(store.history().entries()).hasSize(1);
    }

    @Test
    void theMemberRecordAnAgentPublishesIsTheGoldenOne() {
        Session session = dcs.openSession(Duration.ofSeconds(10));
        store.publish(Samples.NODE3, session);
        assertThat(dcs.get(keys.member("node3")).orElseThrow().value()).isEqualTo(Samples.text("written/member-node3.json"));
        store.register(Samples.PROXY, session);
        assertThat(store.proxies()).isEqualTo(List.of(Samples.PROXY));
    }

    @Test
    void assignmentsArePutReadInTheSnapshotAndDeleted() {
        store.putAssignment(Samples.ASSIGNMENT);
        store.putAssignment(Samples.ASSIGNMENT_SPARE);
        dcs.put(keys.assignment("node6"), "{\"format\":1,");
        assertThat(dcs.get(keys.assignment("node4")).orElseThrow().value()).isEqualTo(Samples.text("written/assignment.json"));

        assertThat(store.assignments()).containsOnlyKeys("node4", "node5").containsEntry("node4", Samples.ASSIGNMENT);
        ClusterSnapshot s = store.read();
        assertThat(s.assignments()).isEqualTo(store.assignments());
        assertThat(s.assignment("node5")).contains(Samples.ASSIGNMENT_SPARE);
        assertThat(store.unreadable().count()).as("the unreadable one is reported, not dropped silently").isPositive();
        assertThat(s.assignmentUnreadable("node6")).as("node6 has an assignment, though it cannot be read").isTrue();
        assertThat(s.assignmentUnreadable("node5")).isFalse();
        assertThat(s.assignmentUnreadable("node9")).as("no key: nothing unreadable").isFalse();

        store.putAssignment(Samples.ASSIGNMENT.withDraining(false));
        assertThat(store.read().assignment("node4").orElseThrow().draining()).isFalse();
        assertThat(store.deleteAssignment("node4")).isTrue();
        assertThat(store.deleteAssignment("node4")).isFalse();
        assertThat(store.read().assignments()).containsOnlyKeys("node5");
    }

    @Test
    void anAssignmentWithoutAMemberIsNamedByItsKey() {
        dcs.put(keys.assignment("node7"), "{\"format\":1,\"role\":\"spare\"}");
        assertThat(store.assignments().get("node7").member()).isEqualTo("node7");
        assertThat(store.assignments().get("node7").role()).isEqualTo(Assignment.Role.SPARE);
    }

    @Test
    void theSpecIsWrittenWithCompareAndSetOnTheRevisionRead() {
        ClusterStore.SpecRead absent = store.readSpec();
        assertThat(absent.spec()).isEmpty();
        assertThat(absent.revision()).isZero();
        Spec two = new Spec(Spec.FORMAT, 2, null);
        assertThat(store.writeSpec(absent.revision(), two)).isTrue();
        assertThat(store.writeSpec(absent.revision(), two)).as("created by someone else since").isFalse();

        ClusterStore.SpecRead read = store.readSpec();
        assertThat(read.spec()).contains(two);
        Spec three = new Spec(Spec.FORMAT, 3, null);
        assertThat(store.writeSpec(read.revision(), three)).isTrue();
        assertThat(store.writeSpec(read.revision(), new Spec(Spec.FORMAT, 9, null))).as("written since it was read").isFalse();
        assertThat(store.readSpec().spec()).contains(three);
        assertThat(store.read().spec()).contains(three);

        dcs.put(keys.spec(), "not json");
        ClusterStore.SpecRead unreadable = store.readSpec();
        assertThat(unreadable.spec()).isEmpty();
        assertThat(unreadable.revision()).as("an unreadable spec can still be replaced").isPositive();
        assertThat(store.writeSpec(unreadable.revision(), two)).isTrue();
    }

    @Test
    void aProxyRecordWithReadsIsReadBack() {
        Session session = dcs.openSession(Duration.ofSeconds(10));
        store.register(Samples.PROXY_READS, session);
        assertThat(dcs.get(keys.proxy(Samples.PROXY_READS.name())).orElseThrow().value())
                .isEqualTo(Samples.text("written/proxy-reads.json"));
        assertThat(store.read().proxies().values()).containsExactly(Samples.PROXY_READS);
    }

    private static ObjectNode object(String field, int value) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put(field, value);
        return n;
    }
}

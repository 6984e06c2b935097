package io.pgherd.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The records of the golden samples, and the samples themselves. */
final class Samples {
    /** {@code previous/member-node1.json}: a standby with a pending restart. */
    static final Member NODE1 = new Member("node1", "standby", "running", "127.0.0.1", 5432, "http://127.0.0.1:8008", true,
            false, 3, 50331800L, 50331800L, false, 0, "", true, List.of("max_connections", "shared_buffers"), false, false);
    /** {@code previous/member-node3.json}: a read replica tagged noloadbalance and clonefrom. */
    static final Member NODE3 = new Member("node3", "replica", "streaming", "127.0.0.1", 5434, "http://127.0.0.1:8010", true,
            true, 3, 50331648L, 50331600L, true, 2, "node1", false, List.of(), true, true);
    /** {@code written/member-node2.json}: a standby whose agent did not write two parameters PostgreSQL would refuse. */
    static final Member NODE2 = new Member("node2", "standby", "streaming", "127.0.0.1", 5433, "http://127.0.0.1:8009", true,
            true, 3, 50331800L, 50331800L, false, 0, "node1", false, List.of(), false, false, false, new TreeMap<>(
            Map.of("shared_bufers", "unknown parameter \"shared_bufers\" in PostgreSQL 15.18; did you mean \"shared_buffers\"?",
                    "timezone", "PostgreSQL refused the value \"Mars/Base\"")));
    /** {@code written/parameters.json}: two parameters of PostgreSQL 15's catalogue. */
    static final ParameterCatalogue PARAMETERS = new ParameterCatalogue("15.18", Map.of(
            "shared_buffers", new ParameterCatalogue.Parameter("postmaster", "integer", "8kB", "16", "1073741823", List.of()),
            "wal_level", new ParameterCatalogue.Parameter("postmaster", "enum", "", "", "", List.of("minimal", "replica", "logical"))));
    static final Status STATUS = new Status(50331800L);
    /** The leader's last record after its agent stopped cleanly while leading. */
    static final Status STATUS_STOPPED = new Status(50331800L, 3, "node1");
    static final FailoverRequest FAILOVER = new FailoverRequest("node1", "node2", 1893553445000L);
    static final SyncState SYNC = new SyncState("node1", "node2");
    static final ProxyRecord PROXY = new ProxyRecord("127.0.0.1:6432", 42, 1765000000000L);
    /** {@code written/proxy-reads.json}: a proxy running two reads on node3 and one on node4, which drains. */
    static final ProxyRecord PROXY_READS = ProxyRecord.withReads("127.0.0.1:6432", 0, 0, Map.of("node3", 2, "node4", 1,
            "node5", 0), List.of("node5", "node4"));
    /** {@code written/assignment.json}: a spare assigned to become a read replica, draining, by a task. */
    static final Assignment ASSIGNMENT = Assignment.of("node4", Assignment.Role.REPLICA, true, "t-20251206-1", 17);
    /** {@code written/assignment-spare.json}: a member given back to be a spare, by no task. */
    static final Assignment ASSIGNMENT_SPARE = Assignment.of("node5", Assignment.Role.SPARE, false, null, 18);
    /** {@code written/assignment-clone-from.json}: a spare assigned to become a read replica cloned from node2, not yet streaming. */
    static final Assignment ASSIGNMENT_CLONE_FROM = Assignment.of("node6", Assignment.Role.REPLICA, false, "t-20251206-2", 19)
            .withCloneFrom("node2").withReady(false);
    static final HistoryEntry PROMOTION = new HistoryEntry("node2", "node1", "failover", 4, 50332000L,
            "2025-12-06T05:46:40.500Z", 17L,
            new HistoryEntry.Timeline(1765000000000L, 1765000000100L, 1765000000200L, 1765000000500L, 1765000000600L),
            500L, 600L, Map.of("127.0.0.1:6432", new HistoryEntry.ProxyTimeline(1765000000050L, 1765000000300L,
                    1765000000550L, 1765000000610L, 500L, 17L)), null);
    static final Spec SPEC = new Spec(Spec.FORMAT, 2, new Spec.Autoscaling(true, 1, 5, 70, 300));
    static final Task TASK = new Task(Task.FORMAT, "t-20251206-1", "add_replica", Task.State.RUNNING,
            List.of(new Task.Step("clone", Task.State.SUCCEEDED, 1765000000000L, 1765000060000L, null, 0),
                    new Task.Step("start", Task.State.RUNNING, 1765000060000L, 0, null, 0)),
            50, null, "controller-1", 1765000000000L, 1765000060000L, 0, 1234, Map.of("member", "node4", "source", "node2"),
            false, false);
    /** {@link #TASK} as the release before owner epochs and parameters wrote it (and reads it back). */
    static final Task PREVIOUS_TASK = new Task(Task.FORMAT, "t-20251206-1", "add_replica", Task.State.RUNNING,
            List.of(new Task.Step("clone", Task.State.SUCCEEDED, 1765000000000L, 1765000060000L, null, 0),
                    new Task.Step("start", Task.State.RUNNING, 1765000060000L, 0, null, 0)),
            50, null, "controller-1", 1765000000000L, 1765000060000L, 0, 0, Map.of(), false, false);

    private Samples() {
    }

    /** A sample under {@code io/pgherd/cluster/}, without its final newline. */
    static String text(String path) {
        try (InputStream in = Samples.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

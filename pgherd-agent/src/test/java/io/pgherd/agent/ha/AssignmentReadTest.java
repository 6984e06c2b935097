package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterConfig;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.History;

/** What a spare learns of its assignment from one cycle's read: a failed read or an unreadable key tells nothing. */
class AssignmentReadTest {
    private static final Assignment SPARE1 = Assignment.of("spare1", Assignment.Role.REPLICA, false, "t-1", 3);

    private static ClusterSnapshot snapshot(boolean spare1Readable) {
        TreeMap<String, Assignment> assignments = new TreeMap<>();
        TreeSet<String> unreadable = new TreeSet<>();
        if (spare1Readable) {
            assignments.put("spare1", SPARE1);
        } else {
            unreadable.add("spare1");
        }
        return new ClusterSnapshot(Optional.empty(), new TreeMap<>(), Optional.empty(), Optional.empty(), Optional.empty(), 0,
                Optional.empty(), ClusterConfig.absent(), History.EMPTY, new TreeMap<>(), Optional.empty(), new TreeMap<>(),
                Optional.empty(), assignments, unreadable);
    }

    @Test
    void onlyASuccessfulReadTellsWhetherTheAssignmentIsThere() {
        assertThat(AssignmentRead.of(true, snapshot(true), "spare1")).isEqualTo(new AssignmentRead.Found(SPARE1));
        assertThat(AssignmentRead.of(true, snapshot(true), "spare2")).isEqualTo(new AssignmentRead.Absent());
        assertThat(AssignmentRead.of(true, snapshot(false), "spare1")).isEqualTo(new AssignmentRead.Unreadable());
        assertThat(AssignmentRead.of(false, snapshot(true), "spare1")).as("an older snapshot: this cycle's read failed")
                .isEqualTo(new AssignmentRead.NotRead());
        assertThat(AssignmentRead.of(false, null, "spare1")).isEqualTo(new AssignmentRead.NotRead());
        assertThat(AssignmentRead.of(true, snapshot(true), "spare1").found()).contains(SPARE1);
        assertThat(new AssignmentRead.Unreadable().found()).isEmpty();
    }
}

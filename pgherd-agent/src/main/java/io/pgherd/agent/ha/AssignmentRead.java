package io.pgherd.agent.ha;

import java.util.Optional;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;

/**
 * What a spare agent learnt of its assignment ({@code assignments/<member>}) in one cycle. Only a successful read
 * tells it something: {@link Found} or {@link Absent} (the key was never written, or was deleted). A key that holds
 * what this release cannot parse ({@link Unreadable}) or a cycle whose read of the DCS failed ({@link NotRead}) says
 * nothing, and a spare never wipes its data on them ({@link SpareRules}).
 */
public sealed interface AssignmentRead {
    /** The DCS was read and holds this assignment for the member (possibly of a newer release). */
    record Found(Assignment assignment) implements AssignmentRead {
    }

    /** The DCS was read and holds no assignment for the member: never written, or deleted (a release). */
    record Absent() implements AssignmentRead {
    }

    /** The DCS was read and the member's assignment key holds something that cannot be read (reported by the store). */
    record Unreadable() implements AssignmentRead {
    }

    /** The DCS could not be read this cycle: the assignment is unknown. */
    record NotRead() implements AssignmentRead {
    }

    /**
     * The assignment of {@code member} as this cycle read it.
     *
     * @param read whether {@code snapshot} was read from the DCS this cycle (false: an older one, or none)
     */
    public static AssignmentRead of(boolean read, ClusterSnapshot snapshot, String member) {
        if (!read || snapshot == null) {
            return new NotRead();
        }
        if (snapshot.assignmentUnreadable(member)) {
            return new Unreadable();
        }
        return snapshot.assignment(member).<AssignmentRead>map(Found::new).orElseGet(Absent::new);
    }

    /** The assignment itself when it was found. */
    default Optional<Assignment> found() {
        return this instanceof Found found ? Optional.of(found.assignment()) : Optional.empty();
    }
}

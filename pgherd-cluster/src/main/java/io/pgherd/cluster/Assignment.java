package io.pgherd.cluster;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code assignments/<member>}: what the controller asks of one member. A spare agent
 * ({@code agent.role: spare}) assigned {@link Role#REPLICA} clones and joins as a nofailover read replica;
 * assigned {@link Role#SPARE} again (or with the record deleted) it stops PostgreSQL, wipes its data and
 * waits as a spare. {@code draining} makes any member's agent publish {@code draining} in its member
 * record, so the proxies send it no new reads.
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param member the member it is for (the key's last segment)
 * @param role what the member is to be
 * @param draining whether the member is to take no new reads
 * @param task the id of the controller task that wrote it; null when none
 * @param epoch the epoch of the controller that wrote it (its fencing token)
 * @param cloneFrom the member a spare assigned {@link Role#REPLICA} is to clone from, when the controller chose one
 *                  (the spare clones from it while it runs, else makes its own choice); null when none (and in
 *                  records of releases before it)
 * @param ready whether the member may take reads: false while the controller's task that adds it waits for it to
 *              stream within the lag limit (the proxies send it no reads until then); a record without the field
 *              (an older release's, or one written by hand) reads as true
 */
public record Assignment(@JsonProperty("format") int format,
                         @JsonProperty("member") String member,
                         @JsonProperty("role") Role role,
                         @JsonProperty("draining") boolean draining,
                         @JsonProperty("task") @JsonInclude(JsonInclude.Include.NON_NULL) String task,
                         @JsonProperty("epoch") long epoch,
                         @JsonProperty("clone_from") @JsonInclude(JsonInclude.Include.NON_NULL) String cloneFrom,
                         @JsonProperty("ready") Boolean ready) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    public Assignment {
        role = role == null ? Role.UNKNOWN : role;
        ready = ready == null || ready;
    }

    /** A ready assignment (see {@link #ready}). */
    public Assignment(int format, String member, Role role, boolean draining, String task, long epoch, String cloneFrom) {
        this(format, member, role, draining, task, epoch, cloneFrom, true);
    }

    /** An assignment without a clone source. */
    public Assignment(int format, String member, Role role, boolean draining, String task, long epoch) {
        this(format, member, role, draining, task, epoch, null);
    }

    /** An assignment of this release's format, without a clone source. */
    public static Assignment of(String member, Role role, boolean draining, String task, long epoch) {
        return new Assignment(FORMAT, member, role, draining, task, epoch);
    }

    /** This assignment, draining or not. */
    public Assignment withDraining(boolean on) {
        return new Assignment(format, member, role, on, task, epoch, cloneFrom, ready);
    }

    /** This assignment with {@code source} as the member to clone from (null: none). */
    public Assignment withCloneFrom(String source) {
        return new Assignment(format, member, role, draining, task, epoch, source == null || source.isEmpty() ? null : source,
                ready);
    }

    /** This assignment, ready to take reads or not (see {@link #ready}). */
    public Assignment withReady(boolean on) {
        return new Assignment(format, member, role, draining, task, epoch, cloneFrom, on);
    }

    /** This assignment as written by the controller task {@code taskId} with the fencing token {@code byEpoch}. */
    public Assignment writtenBy(String taskId, long byEpoch) {
        return new Assignment(format, member, role, draining, taskId, byEpoch, cloneFrom, ready);
    }

    /**
     * Whether the member must take no reads yet: it is assigned {@link Role#REPLICA} and the controller has not yet
     * seen it stream within the lag limit ({@link #ready} false). A record of a newer release says nothing.
     */
    public boolean awaitsStreaming() {
        return understood() && role == Role.REPLICA && !ready;
    }

    /**
     * Whether an agent of this release may act on it: its format is one this release knows. An agent
     * meeting a record of a newer format leaves its member as it is.
     */
    public boolean understood() {
        return format <= FORMAT && role != Role.UNKNOWN;
    }

    /** What a member is assigned to be; {@link #UNKNOWN} is what a role of a newer release reads as. */
    public enum Role {
        @JsonProperty("replica") REPLICA,
        @JsonProperty("spare") SPARE,
        @JsonEnumDefaultValue @JsonProperty("unknown") UNKNOWN
    }
}

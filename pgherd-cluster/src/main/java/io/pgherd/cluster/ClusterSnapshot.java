package io.pgherd.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One read of everything under a cluster's prefix ({@link ClusterStore#read}), every record typed. On
 * etcd it is one consistent snapshot; on ZooKeeper each record is a value its key had during the read
 * (see {@code Dcs.list}). Records that could not be read are absent here, and were reported
 * ({@link UnreadableRecords}).
 *
 * @param leader the leader key, if anyone holds it (with its epoch and modRevision)
 * @param members every member with a readable record, by name (sorted)
 * @param initializedBy the member that won the {@code initialize} key, or empty before anyone did
 * @param status the leader's last published position, if any
 * @param failover a requested switchover or failover, if any
 * @param failoverRevision the {@code failover} key's modRevision (what proxies acknowledge); 0 without the key
 * @param sync the {@code sync} key, if present ({@link SyncState#NOBODY} when unreadable)
 * @param config the dynamic configuration ({@code {}} when absent or unreadable)
 * @param history every promotion recorded, oldest first
 * @param proxies every live proxy's record, by name (sorted)
 * @param spec the desired shape of the cluster, if set
 * @param tasks the controller's tasks, by id (sorted)
 * @param systemId the database system identifier of the cluster's data ({@code system_id}), once recorded
 * @param assignments what the controller asks of members ({@code assignments/<member>}), by member (sorted)
 * @param unreadableAssignments the members whose assignment key holds a value that could not be read (sorted):
 *                              absent from {@code assignments}, but not deleted
 * @param schedules every readable schedule ({@code schedules/<name>}), by name (sorted)
 */
public record ClusterSnapshot(Optional<Leader> leader, SortedMap<String, Member> members, Optional<String> initializedBy,
                              Optional<Status> status, Optional<FailoverRequest> failover, long failoverRevision,
                              Optional<SyncState> sync, ClusterConfig config, History history,
                              SortedMap<String, ProxyRecord> proxies, Optional<Spec> spec, SortedMap<String, Task> tasks,
                              Optional<String> systemId, SortedMap<String, Assignment> assignments,
                              SortedSet<String> unreadableAssignments, SortedMap<String, Schedule> schedules) {
    public ClusterSnapshot {
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        proxies = Collections.unmodifiableSortedMap(new TreeMap<>(proxies));
        tasks = Collections.unmodifiableSortedMap(new TreeMap<>(tasks));
        assignments = Collections.unmodifiableSortedMap(new TreeMap<>(assignments == null ? Map.of() : assignments));
        unreadableAssignments = Collections.unmodifiableSortedSet(new TreeSet<>(unreadableAssignments == null ? Set.of()
                : unreadableAssignments));
        schedules = Collections.unmodifiableSortedMap(new TreeMap<>(schedules == null ? Map.of() : schedules));
    }

    /** A snapshot without schedules. */
    public ClusterSnapshot(Optional<Leader> leader, SortedMap<String, Member> members, Optional<String> initializedBy,
                           Optional<Status> status, Optional<FailoverRequest> failover, long failoverRevision,
                           Optional<SyncState> sync, ClusterConfig config, History history,
                           SortedMap<String, ProxyRecord> proxies, Optional<Spec> spec, SortedMap<String, Task> tasks,
                           Optional<String> systemId, SortedMap<String, Assignment> assignments,
                           SortedSet<String> unreadableAssignments) {
        this(leader, members, initializedBy, status, failover, failoverRevision, sync, config, history, proxies, spec, tasks,
                systemId, assignments, unreadableAssignments, new TreeMap<>());
    }

    /** A snapshot whose assignments were all readable. */
    public ClusterSnapshot(Optional<Leader> leader, SortedMap<String, Member> members, Optional<String> initializedBy,
                           Optional<Status> status, Optional<FailoverRequest> failover, long failoverRevision,
                           Optional<SyncState> sync, ClusterConfig config, History history,
                           SortedMap<String, ProxyRecord> proxies, Optional<Spec> spec, SortedMap<String, Task> tasks,
                           Optional<String> systemId, SortedMap<String, Assignment> assignments) {
        this(leader, members, initializedBy, status, failover, failoverRevision, sync, config, history, proxies, spec, tasks,
                systemId, assignments, new TreeSet<>());
    }

    /** A snapshot without assignments. */
    public ClusterSnapshot(Optional<Leader> leader, SortedMap<String, Member> members, Optional<String> initializedBy,
                           Optional<Status> status, Optional<FailoverRequest> failover, long failoverRevision,
                           Optional<SyncState> sync, ClusterConfig config, History history,
                           SortedMap<String, ProxyRecord> proxies, Optional<Spec> spec, SortedMap<String, Task> tasks,
                           Optional<String> systemId) {
        this(leader, members, initializedBy, status, failover, failoverRevision, sync, config, history, proxies, spec, tasks,
                systemId, new TreeMap<>());
    }

    /** The assignment of {@code member}, if the controller wrote one. */
    public Optional<Assignment> assignment(String member) {
        return Optional.ofNullable(assignments.get(member));
    }

    /**
     * Whether the assignment key of {@code member} holds a value that could not be read: the member has one, but what
     * it says is unknown (not the same as none).
     */
    public boolean assignmentUnreadable(String member) {
        return unreadableAssignments.contains(member);
    }

    /** An empty cluster: no key at all. */
    public static ClusterSnapshot empty() {
        return new ClusterSnapshot(Optional.empty(), new TreeMap<>(), Optional.empty(), Optional.empty(), Optional.empty(), 0,
                Optional.empty(), ClusterConfig.absent(), History.EMPTY, new TreeMap<>(), Optional.empty(), new TreeMap<>(),
                Optional.empty());
    }

    /**
     * Whether a cluster of this name exists in the DCS: someone won the {@code initialize} key, leads,
     * or publishes a member record.
     */
    public boolean exists() {
        return initializedBy.isPresent() || leader.isPresent() || !members.isEmpty() || systemId.isPresent();
    }

    /** The leader's last published WAL position; 0 when unknown. */
    public long lastLeaderPosition() {
        return status.map(Status::position).orElse(0L);
    }
}

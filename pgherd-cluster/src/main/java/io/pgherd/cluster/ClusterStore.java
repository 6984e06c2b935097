package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Fence;
import io.pgherd.dcs.Session;

/**
 * A cluster's keys in the DCS as typed records (see the package documentation for who writes which
 * key, and how): one read of the whole prefix ({@link #read}), and one method per change any process
 * makes. Every record is read and written through {@link ClusterJson}; a record that cannot be read is
 * reported ({@link #unreadable()}) and treated as stated at each method. Every read-modify-write goes
 * through one compare-and-set loop that throws {@link ConflictException} when it gives up. A
 * {@link io.pgherd.dcs.DcsException} means the store did not answer (a write's outcome is unknown).
 * Thread-safe (the DCS is).
 */
public final class ClusterStore {
    /** How many times a compare-and-set is tried before {@link ConflictException}. */
    public static final int MAX_TRIES = 10;

    private final Dcs dcs;
    private final ClusterKeys keys;
    private final UnreadableRecords unreadable = new UnreadableRecords();

    /** A change of the {@code config} key: the document before and after. */
    public record ConfigChange(ObjectNode before, ObjectNode after) {
    }

    public ClusterStore(Dcs dcs, String cluster) {
        this.dcs = dcs;
        this.keys = new ClusterKeys(cluster);
    }

    public ClusterKeys keys() {
        return keys;
    }

    public Dcs dcs() {
        return dcs;
    }

    /** The records this store met that could not be read. */
    public UnreadableRecords unreadable() {
        return unreadable;
    }

    // ---------------------------------------------------------------- reading

    /** Reads everything under the cluster's prefix at once. */
    public ClusterSnapshot read() {
        Optional<Leader> leader = Optional.empty();
        SortedMap<String, Member> members = new TreeMap<>();
        Optional<String> initializedBy = Optional.empty();
        Optional<Status> status = Optional.empty();
        Optional<FailoverRequest> failover = Optional.empty();
        long failoverRevision = 0;
        Optional<SyncState> sync = Optional.empty();
        ClusterConfig config = ClusterConfig.absent();
        History history = History.EMPTY;
        SortedMap<String, ProxyRecord> proxies = new TreeMap<>();
        Optional<Spec> spec = Optional.empty();
        SortedMap<String, Task> tasks = new TreeMap<>();
        Optional<String> systemId = Optional.empty();
        SortedMap<String, Assignment> assignments = new TreeMap<>();
        SortedSet<String> unreadableAssignments = new TreeSet<>();
        SortedMap<String, Schedule> schedules = new TreeMap<>();
        for (Entry e : dcs.list(keys.prefix())) {
            String key = e.key();
            if (key.equals(keys.leader())) {
                leader = Optional.of(new Leader(e.value(), e.createRevision(), e.modRevision()));
            } else if (key.startsWith(keys.members())) {
                parse(e, Member.class).ifPresent(m -> members.put(m.name(), m));
            } else if (key.equals(keys.initialize())) {
                initializedBy = Optional.of(e.value());
            } else if (key.equals(keys.systemId())) {
                systemId = Optional.of(e.value().strip()).filter(v -> !v.isEmpty());
            } else if (key.equals(keys.status())) {
                status = parse(e, Status.class);
            } else if (key.equals(keys.failover())) {
                failover = parse(e, FailoverRequest.class);
                failoverRevision = failover.isPresent() ? e.modRevision() : 0;
            } else if (key.equals(keys.sync())) {
                sync = Optional.of(sync(e));
            } else if (key.equals(keys.config())) {
                config = config(e);
            } else if (key.equals(keys.history())) {
                history = parse(e, History.class).orElse(History.EMPTY);
            } else if (key.startsWith(keys.proxies())) {
                ProxyRecord p = proxy(e);
                proxies.put(p.name(), p);
            } else if (key.equals(keys.spec())) {
                spec = parse(e, Spec.class);
            } else if (key.startsWith(keys.tasks())) {
                parse(e, Task.class).ifPresent(t -> tasks.put(t.id(), t));
            } else if (key.startsWith(keys.assignments())) {
                Optional<Assignment> assignment = assignment(e);
                if (assignment.isPresent()) {
                    assignments.put(assignment.get().member(), assignment.get());
                } else {
                    unreadableAssignments.add(key.substring(key.lastIndexOf('/') + 1));
                }
            } else if (key.startsWith(keys.schedules())) {
                parse(e, Schedule.class).map(s -> ScheduleStore.named(s, key)).ifPresent(s -> schedules.put(s.name(), s));
            }
        }
        return new ClusterSnapshot(leader, members, initializedBy, status, failover, failoverRevision, sync, config, history,
                proxies, spec, tasks, systemId, assignments, unreadableAssignments, schedules);
    }

    /** Every recorded promotion, oldest first (empty when the key is absent or unreadable). */
    public History history() {
        return dcs.get(keys.history()).flatMap(e -> parse(e, History.class)).orElse(History.EMPTY);
    }

    /** Every live proxy's record, sorted by key. */
    public List<ProxyRecord> proxies() {
        List<ProxyRecord> out = new ArrayList<>();
        for (Entry e : dcs.list(keys.proxies())) {
            out.add(proxy(e));
        }
        return out;
    }

    /** The {@code failover} key's modRevision now; empty when there is no such key. */
    public Optional<Long> failoverRevision() {
        return dcs.get(keys.failover()).map(Entry::modRevision);
    }

    /** Reads the {@code config} key. */
    public ClusterConfig readConfig() {
        return dcs.get(keys.config()).map(this::config).orElseGet(ClusterConfig::absent);
    }

    /**
     * Reads the {@code parameters} key: the parameter catalogue an agent published; empty when no
     * agent has yet (or the key is unreadable, which is reported).
     */
    public Optional<ParameterCatalogue> readCatalogue() {
        return dcs.get(keys.parameters()).flatMap(e -> parse(e, ParameterCatalogue.class));
    }

    /** Writes the {@code parameters} key (an agent whose server describes itself otherwise than the key says). */
    public void publishCatalogue(ParameterCatalogue catalogue) {
        dcs.put(keys.parameters(), ClusterJson.write(catalogue));
    }

    // ---------------------------------------------------------------- members and the leader key (agents)

    /** Publishes a member's record, bound to its agent's session. */
    public void publish(Member member, Session session) {
        dcs.putEphemeral(keys.member(member.name()), ClusterJson.write(member), session);
    }

    /**
     * Tries to take the leader key.
     *
     * @return the key's epoch (its create revision, which the proxies check connections against) when this
     *         member now holds it; empty when another member does
     */
    public OptionalLong takeLeader(String name, Session session) {
        return dcs.createEphemeral(keys.leader(), name, session).map(e -> OptionalLong.of(e.createRevision()))
                .orElse(OptionalLong.empty());
    }

    /** Gives the leader key up, if it is still the one read. */
    public boolean releaseLeader(Leader leader) {
        return dcs.compareAndDelete(keys.leader(), leader.modRevision());
    }

    /** Tries to win the bootstrap race; true for the one member that initializes the cluster. */
    public boolean initialize(String name) {
        return dcs.createIfAbsent(keys.initialize(), name);
    }

    /**
     * Records the database system identifier of the cluster's data (the member that just initialized it, or
     * a leader of a cluster initialized before the key existed): whatever the key held is replaced.
     */
    public void recordSystemId(String systemId) {
        dcs.put(keys.systemId(), systemId);
    }

    /** The leader publishes its WAL position (candidates are judged against the last one). */
    public void publishPosition(long position) {
        dcs.put(keys.status(), ClusterJson.write(new Status(position)));
    }

    /**
     * The leader's agent, stopping cleanly while it leads (before its session and key go), says so with its
     * last position and timeline: the other members then wait for it to take the key back rather than
     * fail over (see {@link Status#stoppedLeader()}).
     */
    public void leaderStopped(String name, long position, int timeline) {
        dcs.put(keys.status(), ClusterJson.write(new Status(position, timeline, name)));
    }

    /**
     * Writes the {@code sync} key if it still holds {@code expected} (compare-and-set on what the
     * caller read; empty: the key must be absent), so a leader acting on an old snapshot cannot
     * overwrite what a newer leader wrote.
     *
     * @return false when the key no longer holds {@code expected} (nothing written)
     */
    public boolean writeSync(Optional<SyncState> expected, SyncState sync) {
        String value = ClusterJson.write(sync);
        Optional<Entry> current = dcs.get(keys.sync());
        if (current.isEmpty()) {
            return expected.isEmpty() && dcs.createIfAbsent(keys.sync(), value);
        }
        return expected.equals(Optional.of(sync(current.get())))
                && dcs.compareAndSet(keys.sync(), current.get().modRevision(), value);
    }

    /** Writes the {@code sync} key whatever it holds (a new leader, before it promotes). */
    public void putSync(SyncState sync) {
        dcs.put(keys.sync(), ClusterJson.write(sync));
    }

    /** Deletes the {@code sync} key (synchronous mode turned off). */
    public void deleteSync() {
        dcs.delete(keys.sync());
    }

    /** Appends one promotion to {@code history} (an unreadable history is reported and started afresh). */
    public void appendHistory(HistoryEntry entry) {
        compareAndSet(keys.history(), current -> Optional.of(new Change<>(ClusterJson.write(
                current.flatMap(e -> parse(e, History.class)).orElse(History.EMPTY).append(entry)), entry)));
    }

    /**
     * Changes the history with compare-and-set (a proxy adding its timeline to a promotion's entry).
     *
     * @param change the new history given the current one; empty: write nothing
     * @return whether it was written (false: {@code change} wrote nothing, or the key is absent or unreadable)
     */
    public boolean updateHistory(Function<History, Optional<History>> change) {
        return compareAndSet(keys.history(), current -> current.flatMap(e -> parse(e, History.class)).flatMap(change)
                .map(next -> new Change<>(ClusterJson.write(next), next))).isPresent();
    }

    // ---------------------------------------------------------------- requests (CLI, REST API)

    /** Asks for a switchover ({@code from} the leader) or failover; {@code to} may be empty (the best candidate). */
    public void requestSwitchover(String from, String to, long notBeforeMillis) {
        dcs.put(keys.failover(), ClusterJson.write(new FailoverRequest(from, to, notBeforeMillis)));
    }

    public void clearSwitchover() {
        dcs.delete(keys.failover());
    }

    /** Sets or clears maintenance mode in the dynamic configuration (an unreadable one is reported and started afresh). */
    public void pause(boolean on) {
        compareAndSet(keys.config(), current -> {
            ObjectNode document = current.map(this::config).orElseGet(ClusterConfig::absent).document().deepCopy();
            document.put("pause", on);
            return Optional.of(new Change<>(document.toString(), document));
        });
    }

    /**
     * Applies a JSON merge patch (RFC 7396: {@code null} deletes) to the dynamic configuration with
     * compare-and-set, read again and re-applied when another client wrote in between.
     *
     * @param validate refuses a document by throwing (nothing written)
     * @return the document before and after
     * @throws ConflictException when the key kept changing (nothing written)
     * @throws io.pgherd.dcs.DcsException when the store did not answer (the change may or may not be written)
     */
    public ConfigChange patchConfig(JsonNode patch, Consumer<JsonNode> validate) {
        return compareAndSet(keys.config(), current -> {
            ObjectNode before = current.map(this::config).orElseGet(ClusterConfig::absent).document();
            JsonNode patched = JsonMergePatch.apply(before, patch);
            validate.accept(patched);
            ObjectNode after = patched.isObject() ? (ObjectNode) patched : ClusterJson.object();
            return Optional.of(new Change<>(after.toString(), new ConfigChange(before, after)));
        }).orElseThrow();
    }

    /**
     * Replaces the dynamic configuration with {@code document} if the key has not been written since
     * {@code read} was read.
     *
     * @param validate refuses a document by throwing (nothing written)
     * @return false when it has been (nothing written)
     * @throws io.pgherd.dcs.DcsException when the store did not answer (the change may or may not be written)
     */
    public boolean replaceConfig(ClusterConfig read, ObjectNode document, Consumer<JsonNode> validate) {
        validate.accept(document);
        String value = document.toString();
        return read.modRevision().isEmpty() ? dcs.createIfAbsent(keys.config(), value)
                : dcs.compareAndSet(keys.config(), read.modRevision().get(), value);
    }

    // ---------------------------------------------------------------- proxies

    /** Writes a proxy's record (its registration and acknowledgement), bound to its session. */
    public void register(ProxyRecord record, Session session) {
        dcs.putEphemeral(keys.proxy(record.name()), ClusterJson.write(record), session);
    }

    // ---------------------------------------------------------------- desired state and assignments (CLI, controller)

    /**
     * The {@code spec} key as read, with the modRevision a {@link #writeSpec} must find.
     *
     * @param spec the record; empty when the key is absent or cannot be read (reported)
     * @param revision the key's modRevision; 0 when it is absent
     */
    public record SpecRead(Optional<Spec> spec, long revision) {
    }

    /** Reads the {@code spec} key. */
    public SpecRead readSpec() {
        Optional<Entry> e = dcs.get(keys.spec());
        return new SpecRead(e.flatMap(entry -> parse(entry, Spec.class)), e.map(Entry::modRevision).orElse(0L));
    }

    /**
     * Writes {@code spec} if the key has not been written since it was read at {@code expectedRevision}
     * ({@link SpecRead#revision()}; 0: the key must still be absent).
     *
     * @return false when it has been (nothing written)
     */
    public boolean writeSpec(long expectedRevision, Spec spec) {
        String value = ClusterJson.write(spec);
        return expectedRevision == 0 ? dcs.createIfAbsent(keys.spec(), value)
                : dcs.compareAndSet(keys.spec(), expectedRevision, value);
    }

    /**
     * Writes {@code spec} as {@link #writeSpec(long, Spec)} does, fenced by the acting controller's epoch (a schedule
     * it fires).
     *
     * @return false when the key was written since or {@code fence} no longer passes (nothing written)
     */
    public boolean writeSpec(long expectedRevision, Spec spec, Fence fence) {
        String value = ClusterJson.write(spec);
        return expectedRevision == 0 ? dcs.createIfAbsent(keys.spec(), value, fence)
                : dcs.compareAndSet(keys.spec(), expectedRevision, value, fence);
    }

    /** Every member's assignment, by member; unreadable ones are reported and left out. */
    public SortedMap<String, Assignment> assignments() {
        SortedMap<String, Assignment> out = new TreeMap<>();
        for (Entry e : dcs.list(keys.assignments())) {
            assignment(e).ifPresent(a -> out.put(a.member(), a));
        }
        return out;
    }

    /** Writes a member's assignment, whatever the key held. */
    public void putAssignment(Assignment assignment) {
        dcs.put(keys.assignment(assignment.member()), ClusterJson.write(assignment));
    }

    /** Deletes a member's assignment; false when there was none. */
    public boolean deleteAssignment(String member) {
        return dcs.delete(keys.assignment(member));
    }

    // ---------------------------------------------------------------- the one compare-and-set loop

    /** A value to write, and what the caller gets back when it is written. */
    private record Change<R>(String value, R result) {
    }

    /**
     * Reads {@code key}, asks {@code change} for its next value, and writes it if the key was not written
     * since (creating it if it was absent); reads and asks again when it was.
     *
     * @param change the change given the key as read (empty: absent); empty: write nothing
     * @return the change's result once written; empty when {@code change} wrote nothing
     * @throws ConflictException after {@link #MAX_TRIES} lost races (nothing written)
     */
    private <R> Optional<R> compareAndSet(String key, Function<Optional<Entry>, Optional<Change<R>>> change) {
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            Optional<Entry> current = dcs.get(key);
            Optional<Change<R>> next = change.apply(current);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            String value = next.get().value();
            if (current.isEmpty() ? dcs.createIfAbsent(key, value) : dcs.compareAndSet(key, current.get().modRevision(), value)) {
                return Optional.of(next.get().result());
            }
        }
        throw new ConflictException(key, MAX_TRIES);
    }

    // ---------------------------------------------------------------- parsing, reported

    private <T> Optional<T> parse(Entry e, Class<T> type) {
        try {
            T record = ClusterJson.read(e.key(), e.value(), type);
            unreadable.readable(e.key());
            return Optional.of(record);
        } catch (UnreadableRecordException problem) {
            unreadable.report(problem);
            return Optional.empty();
        }
    }

    /** An assignment, named by its key when it does not say; empty (reported) when it cannot be read. */
    private Optional<Assignment> assignment(Entry e) {
        String fromKey = e.key().substring(e.key().lastIndexOf('/') + 1);
        return parse(e, Assignment.class).map(a -> a.member() == null || a.member().isEmpty()
                ? new Assignment(a.format(), fromKey, a.role(), a.draining(), a.task(), a.epoch(), a.cloneFrom()) : a);
    }

    /** The {@code sync} key; one that cannot be read names nobody. */
    private SyncState sync(Entry e) {
        return parse(e, SyncState.class).orElse(SyncState.NOBODY);
    }

    /** A proxy record; one that cannot be read counts as acknowledging nothing. */
    private ProxyRecord proxy(Entry e) {
        return proxyRecord(e, unreadable);
    }

    /** A proxy record, named by its key when it does not say; one that cannot be read (reported) acknowledges nothing. */
    static ProxyRecord proxyRecord(Entry e, UnreadableRecords unreadable) {
        String fromKey = e.key().substring(e.key().lastIndexOf('/') + 1);
        ProxyRecord p;
        try {
            p = ClusterJson.read(e.key(), e.value(), ProxyRecord.class);
            unreadable.readable(e.key());
        } catch (UnreadableRecordException problem) {
            unreadable.report(problem);
            p = new ProxyRecord(fromKey, 0, 0);
        }
        return p.name().isEmpty() ? new ProxyRecord(fromKey, p.ack(), p.heldSinceMillis(), p.reads(), p.draining()) : p;
    }

    /** The {@code config} key; one that holds no JSON object reads as {@code {}}. */
    private ClusterConfig config(Entry e) {
        try {
            ObjectNode document = ClusterJson.object(e.key(), e.value());
            unreadable.readable(e.key());
            return new ClusterConfig(document, Optional.of(e.modRevision()));
        } catch (UnreadableRecordException problem) {
            unreadable.report(problem);
            return new ClusterConfig(ClusterJson.object(), Optional.of(e.modRevision()));
        }
    }
}

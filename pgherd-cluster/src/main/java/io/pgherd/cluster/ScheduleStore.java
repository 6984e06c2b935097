package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Fence;

/**
 * The schedules ({@code schedules/<name>}) as typed records: users add, change and remove them with compare-and-set;
 * the acting controller records the due time it fired with a compare-and-set fenced by its epoch, so that a deposed
 * controller cannot fire a schedule again. A record that cannot be read is reported ({@link ClusterStore#unreadable()})
 * and left out. Thread-safe, like the {@link Dcs} under it.
 */
public final class ScheduleStore {

    private final Dcs dcs;
    private final ClusterKeys keys;
    private final UnreadableRecords unreadable;

    /** A schedule as read, with the revision a compare-and-set of it expects. */
    public record ScheduleEntry(Schedule schedule, long modRevision) {
    }

    public ScheduleStore(ClusterStore store) {
        this.dcs = store.dcs();
        this.keys = store.keys();
        this.unreadable = store.unreadable();
    }

    /** Every schedule that can be read, sorted by name. */
    public List<ScheduleEntry> list() {
        List<ScheduleEntry> out = new ArrayList<>();
        for (Entry e : dcs.list(keys.schedules())) {
            parse(e).ifPresent(out::add);
        }
        out.sort((a, b) -> a.schedule().name().compareTo(b.schedule().name()));
        return out;
    }

    /** One schedule; empty when absent or unreadable (reported). */
    public Optional<ScheduleEntry> get(String name) {
        return dcs.get(keys.schedule(name)).flatMap(this::parse);
    }

    /** Whether the key of {@code name} exists, readable or not. */
    public boolean exists(String name) {
        return dcs.get(keys.schedule(name)).isPresent();
    }

    /** Adds a schedule; false when one of that name exists (nothing written). */
    public boolean create(Schedule schedule) {
        return dcs.createIfAbsent(keys.schedule(schedule.name()), ClusterJson.write(schedule));
    }

    /** Replaces a schedule read at {@code read} (a user's change); false when it was written since (nothing written). */
    public boolean replace(ScheduleEntry read, Schedule next) {
        return dcs.compareAndSet(keys.schedule(next.name()), read.modRevision(), ClusterJson.write(next));
    }

    /**
     * Replaces a schedule read at {@code read}, fenced (the controller recording a due time it fired).
     *
     * @return false when it was written since or {@code fence} no longer passes (nothing written)
     */
    public boolean replace(ScheduleEntry read, Schedule next, Fence fence) {
        return dcs.compareAndSet(keys.schedule(next.name()), read.modRevision(), ClusterJson.write(next), fence);
    }

    /** Deletes a schedule read at {@code read}; false when it was written since (nothing deleted). */
    public boolean delete(ScheduleEntry read) {
        return dcs.compareAndDelete(keys.schedule(read.schedule().name()), read.modRevision());
    }

    private Optional<ScheduleEntry> parse(Entry e) {
        try {
            Schedule schedule = ClusterJson.read(e.key(), e.value(), Schedule.class);
            unreadable.readable(e.key());
            return Optional.of(new ScheduleEntry(named(schedule, e.key()), e.modRevision()));
        } catch (UnreadableRecordException problem) {
            unreadable.report(problem);
            return Optional.empty();
        }
    }

    /** A schedule named by its key when it does not say. */
    static Schedule named(Schedule s, String key) {
        if (s.name() != null && !s.name().isEmpty()) {
            return s;
        }
        return new Schedule(s.format(), key.substring(key.lastIndexOf('/') + 1), s.cron(), s.zone(), s.action(), s.missed(),
                s.enabled(), s.sinceMillis(), s.lastFiredMillis(), s.lastFiredTask());
    }
}

package io.pgherd.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code tasks/<id>}: one durable controller task (add a replica, run a backup, ...), written
 * by its owner with a fenced compare-and-set as it advances, so another controller can take it over and
 * a deposed one cannot write it any more.
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param id the task's id (the key's last segment)
 * @param type what it does, such as {@code add_replica}
 * @param state where it is
 * @param steps its steps, in order
 * @param progress percent done, 0 to 100
 * @param error why it failed or was rolled back, with the cause; null while nothing went wrong
 * @param owner the controller carrying it out; null when none does
 * @param createdMillis when it was asked for, epoch ms
 * @param updatedMillis when it last changed, epoch ms
 * @param finishedMillis when it ended, epoch ms; 0 while it runs
 * @param ownerEpoch the epoch (fencing token) of the controller that wrote it last; 0 before any did
 * @param parameters what the task works on ({@code member}, ...); its steps may add what they learn
 * @param cancelRequested a user asked to cancel it ({@code pgherd task cancel}); the owner undoes its steps
 * @param rollingBack its done steps are being undone (after a failure, a cancel, or a takeover that rolls back)
 */
public record Task(@JsonProperty("format") int format,
                   @JsonProperty("id") String id,
                   @JsonProperty("type") String type,
                   @JsonProperty("state") State state,
                   @JsonProperty("steps") List<Step> steps,
                   @JsonProperty("progress") int progress,
                   @JsonProperty("error") @JsonInclude(JsonInclude.Include.NON_NULL) String error,
                   @JsonProperty("owner") @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
                   @JsonProperty("created") long createdMillis,
                   @JsonProperty("updated") long updatedMillis,
                   @JsonProperty("finished") long finishedMillis,
                   @JsonProperty("owner_epoch") long ownerEpoch,
                   @JsonProperty("parameters") Map<String, String> parameters,
                   @JsonProperty("cancel_requested") boolean cancelRequested,
                   @JsonProperty("rolling_back") boolean rollingBack) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    public Task {
        steps = steps == null ? List.of() : List.copyOf(steps);
        state = state == null ? State.UNKNOWN : state;
        // Sorted by name, so that what is written does not depend on the order they were added in.
        parameters = Collections.unmodifiableSortedMap(parameters == null ? new TreeMap<>() : new TreeMap<>(parameters));
    }

    /** A new pending task of {@code type} with these steps (all pending) and parameters. */
    public static Task pending(String id, String type, List<String> stepNames, Map<String, String> parameters, long nowMillis) {
        List<Step> steps = stepNames.stream().map(Step::pending).toList();
        return new Task(FORMAT, id, type, State.PENDING, steps, 0, null, null, nowMillis, nowMillis, 0, 0, parameters, false, false);
    }

    /** Whether it ended (succeeded, failed or cancelled): nothing more happens to it. */
    public boolean finished() {
        return state == State.SUCCEEDED || state == State.FAILED || state == State.CANCELLED;
    }

    public Task withState(State next, long nowMillis) {
        return new Task(format, id, type, next, steps, progress, error, owner, createdMillis, nowMillis,
                next == State.SUCCEEDED || next == State.FAILED || next == State.CANCELLED ? nowMillis : finishedMillis,
                ownerEpoch, parameters, cancelRequested, rollingBack);
    }

    /** Step {@code index} replaced; progress follows the steps that succeeded. */
    public Task withStep(int index, Step step, long nowMillis) {
        List<Step> next = new ArrayList<>(steps);
        next.set(index, step);
        int done = (int) next.stream().filter(s -> s.state() == State.SUCCEEDED).count();
        int percent = next.isEmpty() ? 100 : done * 100 / next.size();
        return new Task(format, id, type, state, next, percent, error, owner, createdMillis, nowMillis, finishedMillis,
                ownerEpoch, parameters, cancelRequested, rollingBack);
    }

    public Task withOwner(String name, long epoch, long nowMillis) {
        return new Task(format, id, type, state, steps, progress, error, name, createdMillis, nowMillis, finishedMillis,
                epoch, parameters, cancelRequested, rollingBack);
    }

    public Task withParameter(String name, String value, long nowMillis) {
        Map<String, String> next = new TreeMap<>(parameters);
        next.put(name, value);
        return new Task(format, id, type, state, steps, progress, error, owner, createdMillis, nowMillis, finishedMillis,
                ownerEpoch, next, cancelRequested, rollingBack);
    }

    /** Its done steps are to be undone, for {@code why} (kept as the task's error unless one is set). */
    public Task rollingBack(String why, long nowMillis) {
        return new Task(format, id, type, state, steps, progress, error == null ? why : error, owner, createdMillis, nowMillis,
                finishedMillis, ownerEpoch, parameters, cancelRequested, true);
    }

    public Task withCancelRequested(long nowMillis) {
        return new Task(format, id, type, state, steps, progress, error, owner, createdMillis, nowMillis, finishedMillis,
                ownerEpoch, parameters, true, rollingBack);
    }

    /** Where a task or step is; {@link #UNKNOWN} is what a state of a newer release reads as. */
    public enum State {
        @JsonProperty("pending") PENDING,
        @JsonProperty("running") RUNNING,
        @JsonProperty("succeeded") SUCCEEDED,
        @JsonProperty("failed") FAILED,
        @JsonProperty("cancelled") CANCELLED,
        @JsonEnumDefaultValue @JsonProperty("unknown") UNKNOWN;

        /** As written and shown: {@code running}, ... */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One step of a task. An undone step is {@link State#CANCELLED}.
     *
     * @param name what it does
     * @param state where it is
     * @param startedMillis when it (last) started, epoch ms; 0 before
     * @param finishedMillis when it ended, epoch ms; 0 before
     * @param error why it failed, with the cause; null unless it failed
     * @param undoneMillis when its undo finished, epoch ms; 0 unless undone
     * @param note what a running step waits for (its last "not yet"); null when it waits for nothing
     */
    public record Step(@JsonProperty("name") String name,
                       @JsonProperty("state") State state,
                       @JsonProperty("started") long startedMillis,
                       @JsonProperty("finished") long finishedMillis,
                       @JsonProperty("error") @JsonInclude(JsonInclude.Include.NON_NULL) String error,
                       @JsonProperty("undone") long undoneMillis,
                       @JsonProperty("note") @JsonInclude(JsonInclude.Include.NON_NULL) String note) {
        public Step {
            state = state == null ? State.UNKNOWN : state;
        }

        /** A step with no note. */
        public Step(String name, State state, long startedMillis, long finishedMillis, String error, long undoneMillis) {
            this(name, state, startedMillis, finishedMillis, error, undoneMillis, null);
        }

        public static Step pending(String name) {
            return new Step(name, State.PENDING, 0, 0, null, 0);
        }

        public Step started(long nowMillis) {
            return new Step(name, State.RUNNING, nowMillis, 0, null, 0);
        }

        /** Still running (its start time kept), waiting for what {@code note} says. */
        public Step waiting(String note) {
            return new Step(name, State.RUNNING, startedMillis, 0, null, 0, note);
        }

        public Step succeeded(long nowMillis) {
            return new Step(name, State.SUCCEEDED, startedMillis, nowMillis, null, 0);
        }

        public Step failed(String why, long nowMillis) {
            return new Step(name, State.FAILED, startedMillis, nowMillis, why, 0);
        }

        public Step undone(long nowMillis) {
            return new Step(name, State.CANCELLED, startedMillis, finishedMillis, error, nowMillis);
        }
    }
}

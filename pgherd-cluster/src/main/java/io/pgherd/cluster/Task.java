package io.pgherd.cluster;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The record {@code tasks/<id>}: one durable controller task (add a replica, run a backup, ...), written
 * by its owner with compare-and-set as it advances, so another controller can take it over.
 * Defined now; the controller writes it from the next release on.
 *
 * @param format the record's format ({@link #FORMAT}); a reader meeting a larger one must not act on it
 * @param id the task's id (the key's last segment)
 * @param type what it does, such as {@code add_replica}
 * @param state where it is
 * @param steps its steps, in order
 * @param progress percent done, 0 to 100
 * @param error why it failed; null unless {@link State#FAILED}
 * @param owner the controller carrying it out; null when none does
 * @param createdMillis when it was asked for, epoch ms
 * @param updatedMillis when it last changed, epoch ms
 * @param finishedMillis when it ended, epoch ms; 0 while it runs
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
                   @JsonProperty("finished") long finishedMillis) {
    /** The format this release writes. */
    public static final int FORMAT = 1;

    public Task {
        steps = steps == null ? List.of() : List.copyOf(steps);
        state = state == null ? State.UNKNOWN : state;
    }

    /** Where a task or step is; {@link #UNKNOWN} is what a state of a newer release reads as. */
    public enum State {
        @JsonProperty("pending") PENDING,
        @JsonProperty("running") RUNNING,
        @JsonProperty("succeeded") SUCCEEDED,
        @JsonProperty("failed") FAILED,
        @JsonProperty("cancelled") CANCELLED,
        @JsonEnumDefaultValue @JsonProperty("unknown") UNKNOWN
    }

    /**
     * One step of a task.
     *
     * @param name what it does
     * @param state where it is
     * @param startedMillis when it started, epoch ms; 0 before
     * @param finishedMillis when it ended, epoch ms; 0 before
     */
    public record Step(@JsonProperty("name") String name,
                       @JsonProperty("state") State state,
                       @JsonProperty("started") long startedMillis,
                       @JsonProperty("finished") long finishedMillis) {
        public Step {
            state = state == null ? State.UNKNOWN : state;
        }
    }
}

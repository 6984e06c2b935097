package io.pgherd.agent.ha;

/**
 * What the agent does this cycle, and the sentence it logs saying why.
 *
 * @param action the action
 * @param target the member the action concerns (the leader to follow or clone from), or empty
 * @param sentence one sentence, logged every cycle
 */
public record Decision(Action action, String target, String sentence) {
    /** Everything the agent may do in one cycle. */
    public enum Action {
        /** Nothing to change. */
        NONE,
        /** Win the {@code initialize} key and create the cluster with initdb. */
        INITIALIZE,
        /** Make a data directory by cloning the leader (pg_basebackup). */
        CLONE,
        /** Start the local PostgreSQL as it is configured. */
        START,
        /** Point the stopped PostgreSQL at the leader and start it as a standby. */
        START_AS_STANDBY,
        /** Point the running standby at another leader. */
        FOLLOW,
        /** Take the leader key and promote. */
        TAKE_LEADERSHIP,
        /** Promote the local standby (it already holds the key). */
        PROMOTE,
        /** Stop taking writes: restart the local primary read-only. */
        DEMOTE,
        /** Give the key up at once (its PostgreSQL cannot come back) and stop. */
        RELEASE,
        /** Rewind a former primary to the leader's history (pg_rewind), then follow. */
        REWIND,
        /** Hand the key to the requested candidate: checkpoint, shut down cleanly, release the key. */
        SWITCHOVER,
        /** Replace the data directory with a fresh clone of the leader (a rewound node that still cannot follow). */
        RECLONE,
        /**
         * Take the leader key back as the leader that stopped cleanly while leading, then start PostgreSQL as the
         * primary it was (when stopped): no promotion, the same timeline, no history entry.
         */
        RESUME,
        /** Stop PostgreSQL and delete the data directory: a spare released by the controller is a spare again. */
        RETIRE
    }

    /** A decision to do nothing, with its sentence (for what is shown before the first cycle). */
    public static Decision of0(String sentence) {
        return new Decision(Action.NONE, "", sentence);
    }

    static Decision of(Action action, String sentence) {
        return new Decision(action, "", sentence);
    }

    static Decision of(Action action, String target, String sentence) {
        return new Decision(action, target, sentence);
    }
}

package io.pgherd.agent.api;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the writing endpoints {@code POST /restart}, {@code /reload} and {@code /reinitialize} ask of
 * the member's agent. Each call blocks the calling request thread until the agent answers (or its
 * own time limit passes) and never throws; the agent does the work on its loop, never on the
 * server's threads.
 *
 * @param restart restarts PostgreSQL; the argument is Patroni's {@code restart_pending}: only if a
 *                restart is pending
 * @param reload writes the dynamic configuration's parameters again and reloads PostgreSQL
 * @param reinitialize starts replacing the data directory with a fresh clone of the leader
 */
public record Operations(Function<Boolean, Outcome> restart, Supplier<Outcome> reload, Supplier<Outcome> reinitialize) {
    /** For an API that serves no agent (tests of the other endpoints): every operation answers that it is unavailable. */
    public static final Operations UNAVAILABLE = new Operations(pending -> unavailable("restart"), () -> unavailable("reload"),
            () -> unavailable("reinitialize"));

    /**
     * What the agent answered.
     *
     * @param done true when done (or, for reinitialize, started): 200; false: 503
     * @param message one sentence for the client
     */
    public record Outcome(boolean done, String message) {
        public static Outcome done(String message) {
            return new Outcome(true, message);
        }

        public static Outcome refused(String message) {
            return new Outcome(false, message);
        }
    }

    private static Outcome unavailable(String what) {
        return Outcome.refused("this REST API serves no agent, so it cannot " + what);
    }
}

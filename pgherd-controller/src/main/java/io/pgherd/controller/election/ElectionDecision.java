package io.pgherd.controller.election;

/**
 * What a controller does in one cycle of the election, and the sentence it logs.
 *
 * @param action what to do
 * @param sentence why, for the log
 */
public record ElectionDecision(Action action, String sentence) {

    /** What to do. */
    public enum Action {
        /** Act as the controller: this controller's fence is the current epoch. */
        ACT,
        /** No controller holds the lease: take it (and a new epoch). */
        ACQUIRE,
        /** Another controller acts, or the DCS does not answer: do nothing. */
        STAND_BY,
        /** This controller's epoch is no longer current: stop acting and forget the fence. */
        STEP_DOWN,
        /** The session is lost: stop acting, forget the fence, open a new session. */
        NEW_SESSION
    }
}

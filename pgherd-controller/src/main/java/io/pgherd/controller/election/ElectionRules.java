package io.pgherd.controller.election;

import java.util.Optional;

import io.pgherd.controller.election.ElectionDecision.Action;

/**
 * The controllers' election as one pure function: from what a controller sees to what it does, with a
 * sentence. No I/O, no clock. The lease key is ephemeral (it goes with the acting controller's session,
 * at the latest one TTL after it died); taking it advances the controller epoch in the same transaction,
 * and every write of the acting controller is fenced by that epoch, so a controller that missed its own
 * deposition (a long pause) cannot write anyway: stepping down here is for the log and for not trying.
 */
public final class ElectionRules {
    private ElectionRules() {
    }

    public static ElectionDecision decide(ElectionState state, String me) {
        boolean held = state.myEpoch().isPresent();
        if (!state.sessionAlive()) {
            return new ElectionDecision(Action.NEW_SESSION, held
                    ? "the DCS session was lost: stepping down as controller (epoch " + state.myEpoch().getAsLong()
                            + ") and opening a new session"
                    : "the DCS session was lost: opening a new session");
        }
        if (!state.dcsReachable()) {
            return new ElectionDecision(Action.STAND_BY, held
                    ? "the DCS cannot be reached: acting on nothing until it answers (writes are fenced by epoch "
                            + state.myEpoch().getAsLong() + ")"
                    : "the DCS cannot be reached: waiting until it answers");
        }
        if (held) {
            long mine = state.myEpoch().getAsLong();
            if (state.epoch().isPresent() && state.epoch().getAsLong() == mine && state.acting().equals(Optional.of(me))) {
                return new ElectionDecision(Action.ACT, "acting as controller (epoch " + mine + ")");
            }
            String now = state.epoch().isPresent() ? "epoch " + state.epoch().getAsLong() : "no epoch";
            String who = state.acting().map(name -> "controller " + name + " holds the key").orElse("no controller holds the key");
            return new ElectionDecision(Action.STEP_DOWN, "the controller epoch is no longer " + mine + " (" + now + ", "
                    + who + "): stepping down");
        }
        if (state.acting().isEmpty()) {
            return new ElectionDecision(Action.ACQUIRE, "no controller acts: taking the controller key");
        }
        String acting = state.acting().get();
        String epoch = state.epoch().isPresent() ? " (epoch " + state.epoch().getAsLong() + ")" : "";
        if (acting.equals(me)) {
            return new ElectionDecision(Action.STAND_BY, "the controller key names this controller from an earlier session"
                    + epoch + ": waiting for it to expire");
        }
        return new ElectionDecision(Action.STAND_BY, "controller " + acting + " acts" + epoch + ": standing by");
    }
}

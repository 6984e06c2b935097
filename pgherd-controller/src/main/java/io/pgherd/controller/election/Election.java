package io.pgherd.controller.election;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ControllerStore;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsException;
import io.pgherd.dcs.Fence;
import io.pgherd.dcs.LostSessionException;
import io.pgherd.dcs.Session;

/**
 * The acting part of the controllers' election: each {@link #cycle()} reads the lease, asks
 * {@link ElectionRules} and does what it says. Holds the session (opened with the cluster's TTL) and the
 * fence while this controller acts. Logs a decision when it differs from the previous one. Not
 * thread-safe: one loop calls it.
 */
public final class Election implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Election.class);

    private final Dcs dcs;
    private final ControllerStore store;
    private final String name;
    private final Duration ttl;
    private Session session;
    private Optional<Fence> fence = Optional.empty();
    private String lastSentence = "";
    private OptionalLong lastEpoch = OptionalLong.empty();

    /**
     * @param name this controller's name, written in the {@code controller} key
     * @param ttl  the cluster's TTL: how long the lease outlives this controller
     */
    public Election(Dcs dcs, ControllerStore store, String name, Duration ttl) {
        this.dcs = dcs;
        this.store = store;
        this.name = name;
        this.ttl = ttl;
    }

    /** The fence of this controller while it acts (as of the last cycle); empty while it does not. */
    public Optional<Fence> fence() {
        return fence;
    }

    public String name() {
        return name;
    }

    /** The controller epoch as the last cycle read it; empty before any controller acted, or when it could not read. */
    public OptionalLong lastEpoch() {
        return lastEpoch;
    }

    /**
     * Runs one cycle: observes, decides, acts.
     *
     * @return the decision of this cycle
     */
    public ElectionDecision cycle() {
        ElectionState state = observe();
        lastEpoch = state.epoch();
        ElectionDecision decision = ElectionRules.decide(state, name);
        switch (decision.action()) {
            case ACT, STAND_BY -> {
            }
            case STEP_DOWN -> fence = Optional.empty();
            case NEW_SESSION -> {
                fence = Optional.empty();
                session.close();
                session = null;
            }
            case ACQUIRE -> acquire();
        }
        report(decision.sentence());
        return decision;
    }

    private ElectionState observe() {
        boolean alive;
        try {
            if (session == null) {
                session = dcs.openSession(ttl);
            }
            alive = session.state() == Session.State.ALIVE;
        } catch (DcsException e) {
            return new ElectionState(false, true, Optional.empty(), OptionalLong.empty(), myEpoch());
        }
        try {
            return new ElectionState(true, alive, store.acting(), store.epoch(), myEpoch());
        } catch (DcsException e) {
            return new ElectionState(false, alive, Optional.empty(), OptionalLong.empty(), myEpoch());
        }
    }

    private OptionalLong myEpoch() {
        return fence.map(f -> OptionalLong.of(f.epoch())).orElse(OptionalLong.empty());
    }

    private void acquire() {
        try {
            fence = store.acquire(name, session);
            fence.ifPresent(f -> report("took the controller key: acting as controller (epoch " + f.epoch() + ", session "
                    + session.id() + ", ttl " + session.ttl().toMillis() + " ms)"));
        } catch (LostSessionException e) {
            report("the DCS session was lost while taking the controller key: opening a new one");
        } catch (DcsException e) {
            // Outcome unknown: the key may be held by this session without this controller knowing the
            // fence. Ending the session releases such a key; the next cycle opens a new one.
            session.close();
            session = null;
            report("taking the controller key got no answer (" + e.getMessage() + "): ending the session and trying again");
        }
    }

    private void report(String sentence) {
        if (!sentence.equals(lastSentence)) {
            log.info("controller {}: {}", name, sentence);
            lastSentence = sentence;
        }
    }

    /** Gives the lease up at once (closing the session deletes the key). */
    @Override
    public void close() {
        fence = Optional.empty();
        if (session != null) {
            session.close();
        }
    }
}

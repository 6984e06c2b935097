package io.pgherd.agent.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.cluster.Member;

/**
 * The health-check endpoints with Patroni's status codes (200 or 503), so that HAProxy's
 * {@code option httpchk} and Kubernetes probes work unchanged. Each decides from the agent's last
 * cycle only ({@link NodeState}) and returns the same JSON status document: Patroni 3's fields
 * ({@link PatroniStatus}, with what PostgreSQL is asked for at most once a second), then pgherd's own.
 * Thread-safe.
 */
final class HealthChecks {
    private final String member;
    private final String scope;
    private final Supplier<NodeState> state;
    private final Duration ttl;
    private final Clock clock;
    private final String version;
    private final Supplier<Optional<ServerFacts>> facts;

    HealthChecks(String member, String scope, Supplier<NodeState> state, Duration ttl, Clock clock) {
        this(member, scope, state, ttl, clock, "unknown", Optional::empty);
    }

    /**
     * @param version pgherd's version, shown as {@code patroni.version}
     * @param facts what the running PostgreSQL says beyond the agent's cycle (empty: it does not answer)
     */
    HealthChecks(String member, String scope, Supplier<NodeState> state, Duration ttl, Clock clock, String version,
                 Supplier<Optional<ServerFacts>> facts) {
        this.member = member;
        this.scope = scope;
        this.state = state;
        this.ttl = ttl;
        this.clock = clock;
        this.version = version;
        this.facts = facts;
    }

    /** {@code /patroni}: the status document, always 200 (as Patroni answers it). */
    Response patroni(Request request) {
        return Response.json(200, status(state.get()));
    }

    /**
     * {@code /sync} and {@code /synchronous}: a running standby (not tagged noloadbalance) that the
     * {@code sync} key names as the synchronous standby (synchronous mode).
     */
    Response synchronous(Request request) {
        NodeState s = state.get();
        return answer(PatroniStatus.isSynchronousStandby(s, member) && isReplica(s, OptionalLong.empty()), s);
    }

    /** {@code /async} and {@code /asynchronous}{@code [?lag=]}: a running standby that is not the synchronous one. */
    Response asynchronous(Request request) {
        return withLagLimit(request, (s, limit) -> !PatroniStatus.isSynchronousStandby(s, member) && isReplica(s, limit));
    }

    /**
     * {@code /standby-leader}: the leader of a standby cluster (one that replicates from another
     * cluster). pgherd has no standby clusters, so it is always 503, as Patroni answers in a cluster
     * that is not one.
     */
    Response standbyLeader(Request request) {
        return answer(false, state.get());
    }

    /**
     * {@code /primary} and its aliases: this member holds the key per a DCS read of its last cycle,
     * that cycle is newer than the TTL, and its PostgreSQL takes writes.
     */
    Response primary(Request request) {
        NodeState s = state.get();
        return answer(isWritablePrimary(s), s);
    }

    /**
     * {@code /replica[?lag=]}: a running standby without the key, not tagged noloadbalance, within
     * {@code lag} bytes of the leader's last position.
     */
    Response replica(Request request) {
        return withLagLimit(request, (s, limit) -> isReplica(s, limit));
    }

    /** {@code /read-only[?lag=]}: what {@code /primary} or {@code /replica} accepts. */
    Response readOnly(Request request) {
        return withLagLimit(request, (s, limit) -> isWritablePrimary(s) || isReplica(s, limit));
    }

    /** Answers whether {@code check} holds for the current state and the request's {@code ?lag=} (400 when malformed). */
    private Response withLagLimit(Request request, BiPredicate<NodeState, OptionalLong> check) {
        NodeState s = state.get();
        OptionalLong limit;
        try {
            limit = lagLimit(request);
        } catch (IllegalArgumentException e) {
            return Response.text(400, "pgherd: lag " + e.getMessage());
        }
        return answer(check.test(s, limit), s);
    }

    /** {@code /health}: PostgreSQL runs. */
    Response health(Request request) {
        NodeState s = state.get();
        return answer(s.postgres().running(), s);
    }

    /** {@code /liveness}: the agent's loop ran within the TTL. */
    Response liveness(Request request) {
        NodeState s = state.get();
        return answer(isLive(s), s);
    }

    /** {@code /readiness}: the writable primary, or a running standby. */
    Response readiness(Request request) {
        NodeState s = state.get();
        return answer(isWritablePrimary(s) || (s.postgres().running() && s.postgres().inRecovery()), s);
    }

    /**
     * The snapshot must also be recent: a loop stuck for longer than the TTL cannot vouch that the
     * key is still this member's (as Patroni checks the leader's last renewal against the TTL).
     */
    private boolean isWritablePrimary(NodeState s) {
        return s.isWritablePrimary(member) && isLive(s);
    }

    /** Whether the last cycle is newer than the TTL (a loop that stopped would already have lost the key). */
    boolean isLive(NodeState s) {
        return s.cycleMillis() > 0 && clock.millis() - s.cycleMillis() < ttl.toMillis();
    }

    private boolean isReplica(NodeState s, OptionalLong limit) {
        if (!s.isReplica(member) || taggedNoLoadBalance(s)) {
            return false;
        }
        if (limit.isEmpty()) {
            return true;
        }
        // An unknown leader position cannot prove the lag is small enough.
        OptionalLong lag = s.replayLag();
        return lag.isPresent() && lag.getAsLong() <= limit.getAsLong();
    }

    /** Whether this member's own record carries the noloadbalance tag (Patroni: /replica answers 503 then). */
    private boolean taggedNoLoadBalance(NodeState s) {
        return s.cluster().map(c -> c.members().get(member)).map(Member::noLoadBalance).orElse(false);
    }

    private static OptionalLong lagLimit(Request request) {
        String lag = request.query().get("lag");
        return lag == null ? OptionalLong.empty() : OptionalLong.of(ByteSize.parse(lag));
    }

    private Response answer(boolean ok, NodeState s) {
        return Response.json(ok ? 200 : 503, status(s));
    }

    /**
     * The status document: Patroni 3's fields ({@code state}, {@code role}, {@code timeline}, {@code xlog},
     * {@code patroni}, ...), then pgherd's ({@code name}, {@code leader}, {@code decision}, ...).
     */
    ObjectNode status(NodeState s) {
        NodeState.Postgres pg = s.postgres();
        ObjectNode out = PatroniStatus.document(s, member, scope, version, pg.running() ? facts.get() : Optional.empty());
        s.replayLag().ifPresent(lag -> out.put("lag", lag));
        out.put("name", member);
        out.put("scope", scope);
        if (s.leader().isPresent()) {
            out.put("leader", s.leader().get());
        } else {
            out.putNull("leader");
        }
        out.put("holds_leader_key", s.holdsKey(member));
        if (pg.running() && !pg.pendingRestart().isEmpty()) {
            pg.pendingRestart().forEach(out.putArray("pending_restart_parameters")::add);
        }
        if (!pg.rejectedParameters().isEmpty()) {
            pg.rejectedParameters().forEach(out.putObject("rejected_parameters")::put);
        }
        out.put("dcs_reachable", s.dcsReachable());
        if (s.cycleMillis() > 0) {
            out.put("last_cycle", Instant.ofEpochMilli(s.cycleMillis()).toString());
        } else {
            out.putNull("last_cycle");
        }
        out.put("decision", s.decision());
        return out;
    }
}

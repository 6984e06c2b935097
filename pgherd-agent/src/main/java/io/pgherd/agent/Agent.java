package io.pgherd.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.agent.api.Operations;
import io.pgherd.agent.ha.ClusterIdentity;
import io.pgherd.agent.ha.ClusterState;
import io.pgherd.agent.ha.Decision;
import io.pgherd.agent.ha.HaRules;
import io.pgherd.agent.ha.HaSettings;
import io.pgherd.agent.ha.LocalState;
import io.pgherd.agent.ha.AssignmentRead;
import io.pgherd.agent.ha.SpareRules;
import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.common.config.HostPort;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsException;
import io.pgherd.dcs.WatchEvent;
import io.pgherd.postgres.PostgresException;

/**
 * One member's agent (DESIGN.md §3): every {@code loop_wait}, or at once when the DCS changes, it
 * reads the cluster from the DCS, inspects its PostgreSQL, publishes its member record, asks
 * {@link HaRules} (or, for a spare, {@link SpareRules}) what to do, does it, and logs the decision's
 * sentence. Runs on its own thread; the REST API reads what the last cycle saw. The work of an action
 * lives beside it: taking the key and recording promotions ({@link Leadership}), the replication slots
 * ({@link SlotKeeper}), the spare's role ({@link SpareRole}), the dynamic configuration
 * ({@link ConfigFollower}).
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final Dcs dcs;
    private final ClusterStore store;
    private final LocalNode local;
    private final AppliedConfig applied;
    private final ConfigFollower configured;
    private final LocalOperations operations;
    private final SynchronousMode synchronous;
    private final ProxyAcks proxyAcks;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private final SlotKeeper slots;
    private final SpareRole spares;
    private volatile boolean running = true;
    private boolean woken;
    private final AgentSession sessions;
    private final LeaseGuard guard;
    private int failedStarts;
    private final LeaderSightings sightings = new LeaderSightings();
    private final Leadership leadership;
    private volatile long dcsLastSeenMillis;
    private String lastSentence = "";
    private long stuckSince;
    /** Completed with the reason when the agent stopped itself for good (its data belongs to another cluster). */
    private final CompletableFuture<String> refusal = new CompletableFuture<>();
    private volatile View view = new View(null, LocalNode.Status.STOPPED, Decision.of0("starting"), 0, false);

    /**
     * What the last cycle saw, for the REST API.
     *
     * @param cluster the DCS snapshot (null before the first successful read)
     * @param status the local PostgreSQL
     * @param decision what was decided
     * @param cycleMillis when the cycle ran
     * @param dcsReachable whether the DCS answered
     */
    public record View(ClusterSnapshot cluster, LocalNode.Status status, Decision decision, long cycleMillis,
                       boolean dcsReachable) {
        /** Whether this member holds the key and its PostgreSQL accepts writes (what /primary answers). */
        public boolean isWritablePrimary(String name) {
            return cluster != null && dcsReachable && cluster.leader().map(Leader::member).filter(name::equals).isPresent()
                    && status.running() && !status.inRecovery();
        }
    }

    public Agent(AgentConfig config) {
        this.config = config;
        this.dcs = Dcs.connect(config.get(AgentConfig.DCS), config.get(AgentConfig.RETRY_TIMEOUT));
        this.store = new ClusterStore(dcs, config.get(AgentConfig.CLUSTER));
        this.local = new LocalNode(config);
        // A leader that stopped cleanly is waited for as long as its key would have outlived a crash.
        HaSettings settings = new HaSettings(config.name(), config.get(AgentConfig.ROLE) != AgentConfig.Role.STANDBY,
                config.get(AgentConfig.FAILOVER_PRIORITY), config.get(AgentConfig.MAXIMUM_LAG_ON_FAILOVER),
                config.get(AgentConfig.SYNCHRONOUS_MODE), config.get(AgentConfig.MAX_START_ATTEMPTS), 30_000,
                config.get(AgentConfig.TTL).toMillis());
        this.proxyAcks = new ProxyAcks(store);
        this.applied = new AppliedConfig(config.name(), config.timings());
        this.configured = new ConfigFollower(settings, store, local, applied);
        this.operations = new LocalOperations(config.name(), local, store, applied, config.get(AgentConfig.START_TIMEOUT),
                this::wakeUp);
        this.synchronous = new SynchronousMode(config.name(), local, store, config.get(AgentConfig.RETRY_TIMEOUT));
        this.thread = new Thread(this::loop, "pgherd-agent-" + config.name());
        this.sessions = new AgentSession(config.name(), dcs, store.keys().prefix(), this::wakeUp, this::onEvent);
        this.guard = new LeaseGuard(config.name(), sessions::current, local::stop);
        this.slots = new SlotKeeper(config.name(), local, config.get(AgentConfig.SLOT_RETENTION).toMillis());
        this.spares = new SpareRole(config.name(), config.get(AgentConfig.ROLE), local);
        this.leadership = new Leadership(config.name(), store, local, synchronous, configured, sessions::current, sightings);
    }

    public AgentConfig config() {
        return config;
    }

    public ClusterStore store() {
        return store;
    }

    public View view() {
        return view;
    }

    /** When the DCS last answered this agent, in epoch milliseconds (0: never). */
    public long dcsLastSeenMillis() {
        return dcsLastSeenMillis;
    }

    /** The local PostgreSQL, for what the REST API asks it directly ({@link ServerFactsReader}). */
    LocalNode local() {
        return local;
    }

    public String name() {
        return config.name();
    }

    /** Starts the loop. */
    public Agent start() {
        guard.start();
        thread.start();
        return this;
    }

    /**
     * Completes with one sentence when the agent stopped its loop for good because it must not take part
     * in the cluster the DCS holds under its name (its data belongs to another cluster); it wrote nothing
     * into the DCS. Its process should then exit with an error rather than be restarted.
     */
    public CompletableFuture<String> refusal() {
        return refusal;
    }

    /** Runs the next cycle now (and has a wait for the proxies' acknowledgements look again). */
    public void wakeUp() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        proxyAcks.changed();
    }

    private void loop() {
        while (running) {
            operations.runPending();
            long loopWait = applied.timings().loopWait().toMillis();
            boolean acted = false;
            try {
                acted = cycle();
            } catch (RuntimeException e) {
                log.warn("{}: cycle failed: {}", name(), e.toString());
            }
            if (acted) {
                continue;
            }
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(loopWait);
                while (running && !woken) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    wake.awaitNanos(left);
                }
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** One cycle; true when it acted (the next one then runs at once). */
    private boolean cycle() {
        long now = System.currentTimeMillis();
        boolean reachable;
        ClusterSnapshot snapshot = view.cluster();
        try {
            sessions.open(applied.timings().ttl());
            snapshot = store.read();
            reachable = true;
            dcsLastSeenMillis = System.currentTimeMillis();
            sessions.answered();
        } catch (DcsException e) {
            reachable = false;
            sessions.unanswered();
            log.warn("{}: the DCS did not answer: {}", name(), e.getMessage());
        }
        if (reachable && !identityAllows(snapshot)) {
            return false;
        }
        boolean alive = sessions.alive();
        if (operations.reinitializing(now).isPresent()) {
            return whileReinitializing(snapshot, reachable, alive, now);
        }
        LocalNode.Status status = local.inspect();
        configured.configure(snapshot, reachable, status);
        ClusterState cluster = snapshot == null ? emptyCluster() : ClusterState.of(snapshot);
        if (reachable) {
            guard.holdsLeaderKey(alive && cluster.ledBy(name()));
            sightings.seen(cluster, now);
            slots.observe(cluster, snapshot, now);
        }
        String following = followedMember(cluster);
        long stuck = 0;
        Member leaderRecord = cluster.leader().map(l -> cluster.members().get(l.member())).orElse(null);
        if (status.running() && status.inRecovery() && leaderRecord != null && leaderRecord.timeline() > 0
                && !leaderRecord.inRecovery() && status.timeline() != leaderRecord.timeline()) {
            // Following a leader whose timeline it does not reach: its history forked off (a rewind that found
            // nothing to do, or WAL received from the old primary that the new one never had).
            stuckSince = stuckSince == 0 ? now : stuckSince;
            stuck = now - stuckSince;
        } else {
            stuckSince = 0;
        }
        long leaderless = sightings.leaderlessMillis(cluster, now);
        LocalState state = new LocalState(reachable, alive, local.dataDirectory().exists(), status.running(), status.inRecovery(),
                local.dataDirectory().wasPrimary(), following, status.position(), failedStarts, stuck, leaderless, guard.confirmed());
        AssignmentRead assignment = AssignmentRead.of(reachable, snapshot, name());
        spares.assignment(assignment);
        if (reachable && alive) {
            publish(status, following, assignedDraining(snapshot));
        }
        Decision decision = spares.spare() ? SpareRules.decide(cluster, state, configured.settings(), assignment, now)
                : HaRules.decide(cluster, state, configured.settings(), assignment.found(), now);
        view = new View(snapshot, status, decision, now, reachable);
        if (decision.action() != Decision.Action.NONE || !decision.sentence().equals(lastSentence)) {
            log.info("{}: {}", name(), decision.sentence());
        } else {
            log.debug("{}: {}", name(), decision.sentence());
        }
        lastSentence = decision.sentence();
        boolean done = act(decision, snapshot, cluster, status);
        if (reachable) {
            slots.dropCloneSlot(cluster, following);
        }
        slots.dropStaleAsStandby(status.running() && status.inRecovery() && !cluster.ledBy(name()), now);
        sessions.renewForTtl(applied.timings().ttl(), reachable,
                cluster.ledBy(name()) || decision.action() != Decision.Action.NONE);
        if (decision.action() != Decision.Action.NONE) {
            view = new View(snapshot, local.inspect(), decision, now, reachable);
            return done;
        }
        return false;
    }

    /** Carries the decision out; false when it failed (the loop then waits loop_wait before trying again). */
    private boolean act(Decision decision, ClusterSnapshot snapshot, ClusterState cluster, LocalNode.Status status) {
        String target = decision.target();
        boolean starting = decision.action() == Decision.Action.START || decision.action() == Decision.Action.START_AS_STANDBY
                || decision.action() == Decision.Action.RESUME;
        try {
            switch (decision.action()) {
                case NONE -> leaderDuties(cluster, status);
                case INITIALIZE -> {
                    if (store.initialize(name()) || cluster.initializedBy().filter(name()::equals).isPresent()) {
                        local.initialize(configured.parameters());
                        local.dataDirectory().systemIdentifier().ifPresent(store::recordSystemId);
                        leadership.takeAfterInitializing(cluster);
                    }
                }
                case CLONE -> {
                    local.cloneFrom(target, addressOf(cluster, target), configured.parameters());
                    slots.clonedFrom(target, cluster);
                }
                case START -> local.start(configured.parameters());
                case START_AS_STANDBY -> {
                    local.follow(addressOf(cluster, target));
                    local.start(configured.parameters());
                }
                case FOLLOW -> {
                    local.follow(addressOf(cluster, target));
                    local.reload();
                }
                case TAKE_LEADERSHIP -> leadership.takeLeadership(cluster, status);
                case PROMOTE -> leadership.promote(cluster, snapshot.leader().map(Leader::epoch).orElse(0L),
                        System.currentTimeMillis());
                case DEMOTE -> local.demote(configured.parameters());
                case RELEASE -> {
                    snapshot.leader().ifPresent(store::releaseLeader);
                    local.stop();
                }
                case REWIND -> rewind(cluster, target);
                case SWITCHOVER -> switchover(snapshot);
                case RECLONE -> local.reclone(target, addressOf(cluster, target), configured.parameters());
                case RESUME -> leadership.resume(status);
                case RETIRE -> spares.retire();
            }
            if (starting) {
                failedStarts = 0;
            }
            return true;
        } catch (PostgresException | DcsException | IllegalStateException | java.io.UncheckedIOException e) {
            if (starting) {
                failedStarts++;
            }
            log.warn("{}: {} failed: {}", name(), decision.action(), e.getMessage());
            return false;
        }
    }

    /**
     * Checks, before this cycle writes anything into the DCS, that this member's data belongs to the cluster
     * there ({@link ClusterIdentity}); records the identifier when this member leads a cluster without one.
     * On a refusal the loop ends for good ({@link #refusal}).
     *
     * @return whether the cycle may go on
     */
    private boolean identityAllows(ClusterSnapshot snapshot) {
        boolean leading = snapshot.leader().map(Leader::member).filter(name()::equals).isPresent();
        ClusterIdentity.Verdict verdict = ClusterIdentity.check(store.keys().cluster(), snapshot.systemId(),
                local.dataDirectory().systemIdentifier(), leading);
        return switch (verdict.outcome()) {
            case JOIN -> true;
            case RECORD -> {
                log.info("{}: {}", name(), verdict.sentence());
                store.recordSystemId(verdict.systemId());
                yield true;
            }
            case REFUSE -> {
                log.error("{}: {}", name(), verdict.sentence());
                running = false;
                view = new View(snapshot, LocalNode.Status.STOPPED, Decision.of0(verdict.sentence()),
                        System.currentTimeMillis(), true);
                refusal.complete(verdict.sentence());
                yield false;
            }
        };
    }

    private void rewind(ClusterState cluster, String leader) {
        HostPort address = addressOf(cluster, leader);
        try {
            local.rewind(address);
        } catch (PostgresException e) {
            log.warn("{}: {}; cloning the node again instead", name(), e.getMessage());
            local.reclone(leader, address, configured.parameters());
            return;
        }
        local.follow(address);
        local.start(configured.parameters());
    }

    /**
     * Hands the key over: a checkpoint first (so the shutdown checkpoint is short), then a wait until every
     * proxy has acknowledged this request (it starts no new write transactions here and those in flight
     * have finished; bounded by {@code agent.ha.proxy_ack_timeout}), then a clean shutdown and the key
     * released. PostgreSQL takes writes until the shutdown. When the wait is cut short (session lost,
     * request withdrawn, agent stopping) it throws and nothing is shut down.
     */
    private void switchover(ClusterSnapshot snapshot) {
        long revision = snapshot.failoverRevision();
        if (revision == 0) {
            throw new IllegalStateException("the snapshot has no failover key to acknowledge");
        }
        local.checkpoint();
        ProxyAcks.Outcome acks = proxyAcks.await(revision, config.get(AgentConfig.PROXY_ACK_TIMEOUT), this::reasonToStopWaiting);
        if (acks.ending() == ProxyAcks.Ending.TIMED_OUT) {
            log.warn("{}: {}", name(), acks.sentence());
        } else {
            log.info("{}: {}", name(), acks.sentence());
        }
        local.stop();
        local.dataDirectory().wasPrimary(true);
        snapshot.leader().ifPresent(store::releaseLeader);
        log.info("{}: shut down cleanly and released the leader key for the switchover", name());
    }

    /** Why a wait of the loop thread must end at once, if it must: the key may be gone, or the agent is stopping. */
    private Optional<String> reasonToStopWaiting() {
        if (!running) {
            return Optional.of("the agent is stopping");
        }
        if (!sessions.alive()) {
            return Optional.of("the DCS session was lost");
        }
        return Optional.empty();
    }

    /**
     * What a leader does every cycle: publish its position, keep slots for members, drop those gone long,
     * keep (or undo) synchronous mode.
     */
    private void leaderDuties(ClusterState cluster, LocalNode.Status status) {
        if (!cluster.ledBy(name()) || !status.running() || status.inRecovery()) {
            return;
        }
        store.publishPosition(status.position());
        slots.keepSlots(cluster, System.currentTimeMillis());
        synchronous.lead(cluster, configured.settings().synchronousMode());
    }

    /** Whether the controller asks this member to drain ({@code draining} in its assignment). */
    private boolean assignedDraining(ClusterSnapshot snapshot) {
        return snapshot != null && snapshot.assignment(name()).map(Assignment::draining).orElse(false);
    }

    private void publish(LocalNode.Status status, String following) {
        publish(status, following, false);
    }

    /** Publishes the member record; {@code draining}: the proxies are to send this member no new reads. */
    private void publish(LocalNode.Status status, String following, boolean draining) {
        HaSettings settings = configured.settings();
        // What other hosts connect to (connect_address): a loopback address here would send them to themselves.
        HostPort published = config.connectAddress();
        Member me = new Member(name(), spares.role(settings),
                status.running() ? (status.inRecovery() ? "streaming" : "running") : "stopped", published.host(), published.port(),
                "http://" + config.apiConnectAddress(), status.running(), status.inRecovery(), status.timeline(),
                status.position(), status.replayed(), settings.noFailover(), settings.failoverPriority(), following,
                status.running() && !applied.pendingRestart().isEmpty(), status.running() ? applied.pendingRestart() : List.of(),
                config.get(AgentConfig.NO_LOAD_BALANCE), config.get(AgentConfig.CLONE_FROM), draining)
                .withRejectedParameters(applied.rejected());
        try {
            store.publish(me, sessions.current());
        } catch (DcsException e) {
            log.warn("{}: could not publish the member record: {}", name(), e.getMessage());
        }
    }

    // ---- dynamic configuration (DynamicConfig) and requests from the REST API (restart, reload, reinitialize)

    /** Parameters the running PostgreSQL has a new value of that applies only after a restart (sorted; empty: none). */
    public List<String> pendingRestart() {
        return applied.pendingRestart();
    }

    /** Parameters of the dynamic configuration this member did not write because PostgreSQL refuses them, with why. */
    public SortedMap<String, String> rejectedParameters() {
        return applied.rejected();
    }

    /** The timings the loop runs with: the dynamic configuration's where set and valid, the file's elsewhere. */
    public DynamicConfig.Timings timings() {
        return applied.timings();
    }

    /**
     * Restart, reload and reinitialize of this member, for the REST API: each hands its work to the
     * loop thread and blocks the caller until it is done (reinitialize: started); see {@link LocalOperations}.
     */
    public Operations operations() {
        return operations.api();
    }

    /** A cycle while a re-clone runs: the member is published as stopped and nothing else is done. */
    private boolean whileReinitializing(ClusterSnapshot snapshot, boolean reachable, boolean alive, long now) {
        Optional<String> reinitializing = operations.reinitializing(now);
        if (reinitializing.isEmpty()) {
            return true;
        }
        if (reachable && alive) {
            publish(LocalNode.Status.STOPPED, "");
        }
        String sentence = reinitializing.get();
        if (!lastSentence.startsWith("reinitializing")) {
            log.info("{}: {}", name(), sentence);
        }
        lastSentence = sentence;
        view = new View(snapshot, LocalNode.Status.STOPPED, Decision.of0(sentence), now, reachable);
        return false;
    }

    /**
     * Wakes the loop for what changes decisions (leader, switchover, configuration, this member's assignment), not
     * for member records; a change of a proxy record wakes only a wait for the proxies' acknowledgements.
     */
    private void onEvent(WatchEvent event) {
        String key = event instanceof WatchEvent.Put p ? p.entry().key() : event instanceof WatchEvent.Delete d ? d.key() : null;
        if (key != null && key.startsWith(store.keys().proxies())) {
            proxyAcks.changed();
            return;
        }
        if (key != null && key.equals(store.keys().leader()) && event instanceof WatchEvent.Delete) {
            sightings.keyDeleted(System.currentTimeMillis());
        }
        if (key == null || key.equals(store.keys().leader()) || key.equals(store.keys().failover())
                || key.equals(store.keys().assignment(name()))
                || key.equals(store.keys().config()) || key.equals(store.keys().initialize())) {
            wakeUp();
        }
    }

    /** The member whose published address this standby streams from; "" when none (members on many hosts share ports). */
    private String followedMember(ClusterState cluster) {
        Optional<HostPort> followed = local.followed();
        if (followed.isEmpty()) {
            return "";
        }
        for (Member m : cluster.members().values()) {
            if (m.port() == followed.get().port() && m.host().equals(followed.get().host())) {
                return m.name();
            }
        }
        return "";
    }

    /** The address {@code member} publishes in its record, where this agent connects to its PostgreSQL. */
    private static HostPort addressOf(ClusterState cluster, String member) {
        Member m = cluster.members().get(member);
        if (m == null) {
            throw new IllegalStateException("no member record of " + member + " yet");
        }
        return new HostPort(m.host(), m.port());
    }

    private static ClusterState emptyCluster() {
        return new ClusterState(Optional.empty(), Map.of(), Optional.empty(), 0, Optional.empty(), Optional.empty(), false);
    }

    @Override
    public void close() {
        running = false;
        // Before the session closes: an agent that stops leaves its PostgreSQL running (sayStoppedWhileLeading).
        guard.close();
        operations.refuseNew();
        wakeUp();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        operations.awaitReinitialization(Duration.ofMinutes(5));
        sayStoppedWhileLeading();
        sessions.close();
        dcs.close();
    }

    /**
     * When this agent stops while it leads (its loop has ended; the key goes with the session next), it
     * writes so in {@code status} with its position and timeline: the others then wait for it to take the
     * key back rather than fail over ({@link HaRules}), so {@code pgherd down} then {@code up} keeps the leader
     * and its timeline. A leader whose PostgreSQL no longer runs as a primary says nothing.
     */
    private void sayStoppedWhileLeading() {
        View last = view;
        if (!sessions.alive() || !last.isWritablePrimary(name())) {
            return;
        }
        LocalNode.Status now = local.inspect();
        if (!now.running() || now.inRecovery()) {
            return;
        }
        try {
            store.leaderStopped(name(), now.position(), now.timeline());
            log.info("{}: stopping while leading (timeline {}, position {}): the others wait for this member to take the"
                    + " key back", name(), now.timeline(), now.position());
        } catch (DcsException e) {
            log.warn("{}: could not record that the leader stopped cleanly: {}", name(), e.getMessage());
        }
    }

    /** Stops the agent and then its PostgreSQL (a clean shutdown of the member). */
    public void shutdown() {
        close();
        try {
            local.stop();
        } catch (PostgresException e) {
            log.warn("{}: could not stop PostgreSQL: {}", name(), e.getMessage());
        }
    }
}

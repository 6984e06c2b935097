package io.pgherd.proxy.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.FailoverRequest;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;
import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Watch;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.topology.NodeState;

/**
 * Makes a proxy follow an HA cluster ({@code proxy.cluster.dcs}, DESIGN.md §3 and §4). One thread
 * of its own, woken by a DCS watch on the cluster's keys, by sessions and by a tick:
 * <ul>
 *   <li><b>Topology.</b> It reads the leader key and the member records and swaps in the nodes they
 *       describe ({@link ClusterNodes#follow}) with the leader key's epoch, so writes go to the new
 *       leader within milliseconds of a change and never to a connection opened under another epoch;
 *       a node whose member record is gone takes no reads until it is back, nor one the cluster drains
 *       ({@link ReadExclusions}).</li>
 *   <li><b>The write gate.</b> Writes are held ({@link WriteGate}) while nobody holds the key, until a
 *       new leader (or a primary a session saw fail) answers as writable, during a planned switchover,
 *       and while the DCS has not answered for longer than the TTL.</li>
 *   <li><b>Switchover.</b> It registers the proxy in {@code proxies/<name>} ({@link ProxyRegistration}, which
 *       also reports the reads it runs on each member); when a switchover is asked
 *       for it holds new writes, waits (bounded) for the transactions in flight on the primary, and
 *       acknowledges with the failover key's revision, which the old primary's agent waits for.</li>
 *   <li><b>Timeline.</b> After a change of leader it adds when it saw the failure, the new leader and
 *       the first write through it to the promotion's history entry ({@link ProxyTimeline}).</li>
 * </ul>
 */
public final class ClusterFollower implements AutoCloseable, PrimaryWatcher {
    private static final Logger log = LoggerFactory.getLogger(ClusterFollower.class);
    private static final long TICK_MILLIS = 1000;
    private static final long PROBE_MILLIS = 50;
    private static final long DRAIN_CHECK_MILLIS = 10;
    /** How often the reads running on each member are compared with what the record says ({@link ReadsReport}). */
    private static final long READS_CHECK_MILLIS = 50;
    private static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    private final FollowedProxy proxy;
    private final Dcs dcs;
    private final ClusterStore store;
    private final ClusterKeys keys;
    private final String name;
    private final ScheduledExecutorService thread;
    private final WriteGate gate;
    private final ProxyRegistration registration;
    private final ReadExclusions reads;
    private final ProxyTimeline timeline;
    private Watch watch;
    private String lastProblem = "";

    /** The leader the gate was last opened for (name and epoch), and the one seen now. */
    private volatile String confirmedLeader = "";
    private long confirmedEpoch;
    private volatile String leader = "";
    private long epoch;
    private Map<String, Member> memberRecords = Map.of();
    /** The members the cluster drains (their record or assignment says so), as last read; sorted. */
    private volatile Set<String> clusterDraining = new TreeSet<>();
    private long ttlMillis = DEFAULT_TTL.toMillis();
    private long lastRead = System.currentTimeMillis();
    private boolean probing;

    /** The failover key revision being drained for (0: none), when the drain began, and what was acknowledged. */
    private long switchoverRevision;
    private String switchoverFrom = "";
    /** A switchover the agents did not carry out in time: writes went back to its leader and it holds nothing again. */
    private long abandonedRevision;
    /** When writes were first held for the switchover being drained for (published as held_since). */
    private long drainStarted;
    private long acknowledged;
    /** A refresh is queued on the thread: watch events arriving meanwhile need no other (one list covers them). */
    private final AtomicBoolean refreshQueued = new AtomicBoolean();

    private ClusterFollower(FollowedProxy proxy, Dcs dcs, ClusterKeys keys, String name) {
        this.proxy = proxy;
        this.dcs = dcs;
        this.store = new ClusterStore(dcs, keys.cluster());
        this.keys = keys;
        this.name = name;
        this.gate = proxy.writes();
        this.registration = new ProxyRegistration(dcs, store, name, proxy);
        this.reads = new ReadExclusions(proxy);
        this.timeline = new ProxyTimeline(store, name);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgherd-cluster");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the cluster of {@code config} (which must name a DCS). */
    public static ClusterFollower start(FollowedProxy proxy, ProxyConfig config) {
        DcsAddress address = DcsAddress.parse(config.get(ProxyConfig.CLUSTER_DCS));
        ClusterKeys keys = new ClusterKeys(config.get(ProxyConfig.CLUSTER_NAME));
        String name = proxyName(config);
        keys.proxy(name); // refuses a name that cannot be a key, before anything starts
        Dcs dcs = Dcs.connect(address, config.get(ProxyConfig.HEALTH_TIMEOUT));
        ClusterFollower follower = new ClusterFollower(proxy, dcs, keys, name);
        proxy.watch(follower);
        follower.thread.execute(follower::refresh);
        follower.thread.scheduleWithFixedDelay(follower::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        follower.thread.scheduleWithFixedDelay(follower::reportReads, READS_CHECK_MILLIS, READS_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        log.info("proxy {} following cluster {} in {}", name, keys.cluster(), address);
        return follower;
    }

    /** {@code proxy.cluster.proxy_name}, else the address the proxy listens on. */
    static String proxyName(ProxyConfig config) {
        String configured = config.get(ProxyConfig.CLUSTER_PROXY_NAME);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return config.get(ProxyConfig.LISTEN).host() + ":" + config.get(ProxyConfig.LISTEN).port();
    }

    // ---------------------------------------------------------------- what sessions tell

    @Override
    public void primaryFailed(String node, String reason) {
        if (!node.equals(leader) && !node.equals(confirmedLeader)) {
            return;
        }
        if (gate.isOpen()) {
            log.warn("the primary {} failed a session ({}); writes are held until a writable leader answers", node, reason);
        }
        gate.close(WriteGate.Reason.UNCONFIRMED);
        thread.execute(this::probe);
    }

    @Override
    public void primaryConnectionTerminated(String node, String reason) {
        thread.execute(() -> {
            if ((!node.equals(leader) && !node.equals(confirmedLeader)) || !gate.isOpen()) {
                return;
            }
            NodeState state = proxy.backends().topology().node(node);
            // Asked first: the connection of one client that ended its own backend (or was ended by an
            // operator) says nothing about the primary; a primary shutting down refuses this check.
            if (state == null || !Boolean.TRUE.equals(proxy.backends().acceptsWrites(state.node()))) {
                primaryFailed(node, reason);
            }
        });
    }

    @Override
    public void firstWrite() {
        thread.execute(() -> {
            WriteGate.Timeline t = gate.takeFinished();
            if (t != null) {
                timeline.record(t);
            }
        });
    }

    // ---------------------------------------------------------------- the loop

    private void tick() {
        refresh();
        long limit = proxy.config().get(ProxyConfig.CLUSTER_HOLD_TIMEOUT).toMillis() / 2;
        if (gate.heldFor(WriteGate.Reason.SWITCHOVER) && System.currentTimeMillis() - drainStarted > limit) {
            // Held writes would start failing soon: the old leader, still leading and writable, takes them again.
            log.warn("the switchover away from {} has not happened within {} ms (half of hold_timeout): writes go to it again",
                    confirmedLeader, limit);
            abandonedRevision = switchoverRevision;
            switchoverRevision = 0;
            gate.clear(WriteGate.Reason.SWITCHOVER);
        }
        gate.expireFirstWrite(System.currentTimeMillis());
        timeline.retry();
    }

    private void refresh() {
        try {
            if (watch == null) {
                watch = dcs.watch(keys.prefix(), event -> {
                    if (refreshQueued.compareAndSet(false, true)) {
                        thread.execute(() -> {
                            refreshQueued.set(false);
                            refresh();
                        });
                    }
                });
            }
            ClusterSnapshot cluster = store.read();
            lastRead = System.currentTimeMillis();
            follow(cluster);
            register();
            if (gate.heldFor(WriteGate.Reason.DCS_UNREACHABLE)) {
                log.info("the DCS answers again");
                gate.clear(WriteGate.Reason.DCS_UNREACHABLE);
            }
            lastProblem = "";
        } catch (RuntimeException e) {
            String problem = e.getMessage() == null ? e.toString() : e.getMessage();
            // DcsException included: the DCS did not answer; try again at the next change or tick.
            if (!problem.equals(lastProblem)) {
                log.warn("could not read the cluster from the DCS (the nodes stay as they are): {}", problem);
                lastProblem = problem;
            }
            if (System.currentTimeMillis() - lastRead > ttlMillis && !gate.heldFor(WriteGate.Reason.DCS_UNREACHABLE)) {
                log.warn("the DCS has not answered for {} ms, longer than the TTL ({} ms): writes are held; reads go on",
                        System.currentTimeMillis() - lastRead, ttlMillis);
                gate.close(WriteGate.Reason.DCS_UNREACHABLE);
            }
        }
    }

    private void follow(ClusterSnapshot cluster) {
        Optional<Leader> leaderEntry = cluster.leader();
        ttlMillis = cluster.config().ttl().orElse(DEFAULT_TTL).toMillis();
        Map<String, ClusterNodes.MemberRecord> members = new HashMap<>();
        Map<String, Member> records = new HashMap<>();
        for (Member record : cluster.members().values()) {
            ClusterNodes.MemberRecord.of(record).ifPresent(m -> {
                members.put(m.name(), m);
                records.put(m.name(), record);
            });
        }
        memberRecords = records;
        clusterDraining = ClusterDraining.of(cluster);
        reads.followDraining(clusterDraining);
        if (leaderEntry.isEmpty()) {
            if (gate.isOpen() || !gate.heldFor(WriteGate.Reason.NO_LEADER)) {
                log.warn("the cluster has no leader: writes are held (at most {}); reads go on",
                        proxy.config().get(ProxyConfig.CLUSTER_HOLD_TIMEOUT));
            }
            gate.close(WriteGate.Reason.NO_LEADER);
            leader = "";
            epoch = 0;
        } else {
            String nowLeader = leaderEntry.get().member();
            long nowEpoch = leaderEntry.get().epoch();
            List<ProxyConfig.Node> current = proxy.config().get(ProxyConfig.NODES);
            Optional<List<ProxyConfig.Node>> next = ClusterNodes.follow(Optional.of(nowLeader), members, current);
            boolean newLeader = !nowLeader.equals(leader) || nowEpoch != epoch;
            if (next.isPresent() || (newLeader && nowEpoch != proxy.leaderEpoch())) {
                List<ProxyConfig.Node> nodes = next.orElse(current);
                if (nodes.stream().anyMatch(n -> n.name().equals(nowLeader))) {
                    log.info("the cluster changed: now {} (leader epoch {})", ClusterNodes.describe(nodes), nowEpoch);
                    proxy.followNodes(nodes, nowEpoch);
                }
            }
            if (newLeader) {
                leader = nowLeader;
                epoch = nowEpoch;
                if (!confirmedLeader.isEmpty() && (!nowLeader.equals(confirmedLeader) || nowEpoch != confirmedEpoch)) {
                    gate.leaderSeen(nowLeader, nowEpoch);
                }
                if (!nowLeader.equals(confirmedLeader) || nowEpoch != confirmedEpoch) {
                    gate.close(WriteGate.Reason.UNCONFIRMED);
                }
            }
            // Only now: a new leader is held as unconfirmed first, so nothing is released to the old epoch's pool.
            gate.clear(WriteGate.Reason.NO_LEADER);
            if (gate.heldFor(WriteGate.Reason.UNCONFIRMED)) {
                probe();
            }
        }
        reads.followMemberRecords(leaderEntry.map(Leader::member), cluster.members().keySet(),
                ReplicaReadiness.notReady(cluster));
        reads.followDraining(clusterDraining); // again: a node made anew just now drains from the start too
        switchover(cluster.failover(), cluster.failoverRevision());
    }

    /** Asks the leader whether it accepts writes; opens the gate when it does, else asks again shortly. */
    private void probe() {
        if (!gate.heldFor(WriteGate.Reason.UNCONFIRMED) || leader.isEmpty()) {
            return;
        }
        NodeState node = proxy.backends().topology().node(leader);
        Boolean writable = node == null || !node.isPrimary() ? Boolean.FALSE : proxy.backends().acceptsWrites(node.node());
        if (writable == null) {
            // No health user to ask with: the leader's own record says whether its PostgreSQL runs as a primary.
            Member record = memberRecords.get(leader);
            writable = record != null && record.running() && !record.inRecovery();
        }
        if (writable) {
            boolean changed = !leader.equals(confirmedLeader) || epoch != confirmedEpoch;
            confirmedLeader = leader;
            confirmedEpoch = epoch;
            log.info("{} {} accepts writes (leader epoch {}){}", changed ? "the new leader" : "the leader", leader, epoch,
                    gate.heldFor(WriteGate.Reason.SWITCHOVER) || gate.heldFor(WriteGate.Reason.DCS_UNREACHABLE) ? ""
                            : ": held writes go on");
            gate.clear(WriteGate.Reason.UNCONFIRMED);
            return;
        }
        if (!probing) {
            probing = true;
            thread.schedule(() -> {
                probing = false;
                probe();
            }, PROBE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Holds writes for a planned switchover away from the confirmed leader, and acknowledges once drained. */
    private void switchover(Optional<FailoverRequest> request, long revision) {
        String from = request.map(FailoverRequest::from).orElse("");
        long notBefore = request.map(FailoverRequest::notBeforeMillis).orElse(0L);
        long now = System.currentTimeMillis();
        boolean applies = request.isPresent() && !leader.isEmpty() && leader.equals(confirmedLeader) && epoch == confirmedEpoch
                && (from.isEmpty() || from.equals(leader))
                // done with: the leader it was asked of has gone since (the agents clear the key a moment later)
                && !(revision == acknowledged && !leader.equals(switchoverFrom))
                && revision != abandonedRevision;
        if (applies && notBefore > now) {
            thread.schedule(this::refresh, notBefore - now, TimeUnit.MILLISECONDS);
            applies = false;
        }
        if (!applies) {
            if (gate.heldFor(WriteGate.Reason.SWITCHOVER)) {
                gate.clear(WriteGate.Reason.SWITCHOVER);
            }
            switchoverRevision = 0;
            return;
        }
        if (revision == switchoverRevision) {
            return;
        }
        switchoverRevision = revision;
        switchoverFrom = leader;
        drainStarted = now;
        log.info("switchover away from {} asked: new write transactions are held; waiting for those in flight", leader);
        gate.close(WriteGate.Reason.SWITCHOVER);
        drain();
    }

    /** Acknowledges the switchover once nothing runs on the primary, or the drain timeout passed. */
    private void drain() {
        long revision = switchoverRevision;
        if (revision == 0 || acknowledged == revision) {
            return;
        }
        NodeState primary = proxy.backends().topology().node(confirmedLeader);
        int inFlight = primary == null ? 0 : primary.outstanding();
        long waited = System.currentTimeMillis() - drainStarted;
        long limit = proxy.config().get(ProxyConfig.CLUSTER_DRAIN_TIMEOUT).toMillis();
        if (inFlight > 0 && waited < limit) {
            thread.schedule(this::drain, DRAIN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        acknowledged = revision;
        if (inFlight > 0) {
            log.warn("switchover: {} transactions still run on {} after drain_timeout ({} ms); acknowledging anyway",
                    inFlight, confirmedLeader, limit);
        } else {
            log.info("switchover: nothing runs on {} any more ({} ms); acknowledged", confirmedLeader, waited);
        }
        try {
            register();
        } catch (RuntimeException e) {
            acknowledged = 0;
            log.warn("could not acknowledge the switchover in the DCS: {}", e.getMessage());
            thread.schedule(this::drain, PROBE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Writes this proxy's record (its registration and acknowledgement) under a session of its own, when due. */
    private void register() {
        registration.register(acknowledged, acknowledged == 0 ? 0 : drainStarted, clusterDraining, ttlMillis);
    }

    /** Writes the record again if the reads it runs changed and it is due ({@link ReadsReport}); after the first read. */
    private void reportReads() {
        if (!registration.registered()) {
            return;
        }
        try {
            register();
        } catch (RuntimeException e) {
            log.debug("could not write the reads running on each member: {}", e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watch != null) {
            watch.close();
        }
        try {
            registration.close();
        } catch (RuntimeException e) {
            log.debug("closing the DCS session: {}", e.toString());
        }
        dcs.close();
    }
}

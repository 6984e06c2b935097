package io.pgherd.proxy.topology;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.pgherd.proxy.config.ProxyConfig;

/**
 * What the proxy knows of one node: its configuration, what the last health check found (reachable,
 * in recovery, replay position, lag), whether an operator drains it, and the work sent to it.
 * Written by the health checker and by sessions that saw it fail or saw its replay position;
 * read on every routing decision. Thread-safe, lock-free.
 */
public final class NodeState {
    private volatile ProxyConfig.Node node;
    private volatile boolean checked;
    private volatile String down = "not checked yet";
    private volatile boolean inRecovery;
    private final AtomicLong walPosition = new AtomicLong();
    private volatile long lagBytes = -1;
    private volatile double lagSeconds = -1;
    private volatile boolean draining;
    private volatile boolean drainedByCluster;
    private volatile String keptOut;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder failures = new LongAdder();

    NodeState(ProxyConfig.Node node) {
        this.node = node;
    }

    public ProxyConfig.Node node() {
        return node;
    }

    void node(ProxyConfig.Node latest) {
        this.node = latest;
    }

    public String name() {
        return node.name();
    }

    public boolean isPrimary() {
        return node.role() == ProxyConfig.Role.PRIMARY;
    }

    /** Whether the last check (or the last use) found the node working. */
    public boolean isUp() {
        return down == null;
    }

    /** Why the node is down, or null. */
    public String downReason() {
        return down;
    }

    public boolean checked() {
        return checked;
    }

    public boolean inRecovery() {
        return inRecovery;
    }

    /** The primary's current WAL position, or a replica's replay position, as last seen. */
    public long walPosition() {
        return walPosition.get();
    }

    /** Bytes of WAL the node has yet to replay (0 for the primary; -1 before a check). */
    public long lagBytes() {
        return lagBytes;
    }

    /** How old the oldest WAL the node has not replayed is, in seconds (-1 before a check). */
    public double lagSeconds() {
        return lagSeconds;
    }

    /** Whether the node takes no new reads: an operator drains it (DRAIN) or the followed cluster does. */
    public boolean draining() {
        return draining || drainedByCluster;
    }

    /** Whether an operator drains the node (DRAIN), whatever the cluster says. */
    public boolean drainedByOperator() {
        return draining;
    }

    /**
     * An operator drains the node (DRAIN: no new reads; reads in flight finish; writes still go to a primary)
     * or takes it back (UNDRAIN); what the cluster asks is kept apart ({@link #drainedByCluster(boolean)}).
     */
    public void draining(boolean on) {
        this.draining = on;
    }

    /** Whether the followed cluster drains the node (its member record or its assignment in the DCS says so). */
    public boolean drainedByCluster() {
        return drainedByCluster;
    }

    /** The followed cluster drains the node or no longer does; an operator's DRAIN stays as it is. */
    public void drainedByCluster(boolean on) {
        this.drainedByCluster = on;
    }

    /**
     * Why the followed cluster keeps the node out of the read pool (its agent is gone, or it is a new replica the
     * controller has not yet seen stream within the lag limit), or null.
     */
    public String keptOut() {
        return keptOut;
    }

    /** Keeps the node out of the read pool for {@code reason} (reads in flight finish), or takes it back (null). */
    public void keepOut(String reason) {
        this.keptOut = reason;
    }

    /** Work linked to the node right now. */
    public int outstanding() {
        return outstanding.get();
    }

    /** Reads sent to the node (SHOW NODES' select count). */
    public long reads() {
        return reads.sum();
    }

    /** Writes (and everything else not provably read-only) sent to the node. */
    public long writes() {
        return writes.sum();
    }

    /** How often the proxy took the node out after a failure. */
    public long failures() {
        return failures.sum();
    }

    /** A session linked a server of the node (outstanding until {@link #finished()}). */
    public void linked() {
        outstanding.incrementAndGet();
    }

    /** A session sent a unit of work to the node (a read, or anything else). */
    public void sent(boolean read) {
        (read ? reads : writes).increment();
    }

    /** A session's link to the node ended. */
    public void finished() {
        outstanding.decrementAndGet();
    }

    /** The proxy saw the node fail (refused a connection, died mid-work): no new work until a check passes. */
    public void markDown(String reason) {
        if (down == null) {
            failures.increment();
        }
        down = reason;
    }

    /** A session saw the node's replay position (e.g. while waiting for it to catch up). */
    public void observed(long position) {
        walPosition.accumulateAndGet(position, Math::max);
    }

    /** What a health check found. */
    void checked(boolean recovery, long position, long bytesBehind, double secondsBehind) {
        this.inRecovery = recovery;
        if (recovery) {
            walPosition.accumulateAndGet(position, Math::max);
        } else {
            walPosition.set(position);
        }
        this.lagBytes = bytesBehind;
        this.lagSeconds = secondsBehind;
        this.checked = true;
        this.down = null;
    }

    /** A health check failed. */
    void checkFailed(String reason) {
        this.checked = true;
        markDown(reason);
    }

    @Override
    public String toString() {
        return node.toString();
    }
}

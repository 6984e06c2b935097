package io.pgherd.dcs;

import java.util.Objects;

/**
 * The condition a fenced write carries: the persistent key {@code key} (an epoch key) has not been
 * written since its mod revision was {@code modRevision}. Whoever advanced the epoch key last
 * holds the only fence that still passes; {@code modRevision} is its epoch, the fencing token.
 *
 * <p>An epoch key is advanced only by {@link Dcs#acquire} and <b>never deleted</b>: pgherd deletes
 * none. On etcd a fence compares the key's {@code mod_revision}, which is unique across the
 * store's history. On ZooKeeper a transaction can only check a node's {@code version}, which
 * starts again at 0 when a node is deleted and created again (why the ephemeral lease key itself
 * cannot serve as a guard: each incarnation of it has version 0). The epoch key is persistent and
 * never deleted, so it has one incarnation whose {@code version} grows by one with each write
 * together with its {@code mzxid}: the version read with {@code mzxid == modRevision} names the
 * same write, and checking it in the transaction is checking the {@code mzxid}.
 *
 * @param key         the epoch key, such as {@code /pgherd/main/controller_epoch}
 * @param modRevision the epoch key's {@link Entry#modRevision()} when its holder advanced it
 */
public record Fence(String key, long modRevision) {

    public Fence {
        Objects.requireNonNull(key, "key");
        Keys.requireKey(key);
        if (modRevision <= 0) {
            throw new IllegalArgumentException("fence " + key + ": mod revision must be positive (got " + modRevision + ")");
        }
    }

    /** The fencing token, as the records a fenced writer writes carry it. */
    public long epoch() {
        return modRevision;
    }
}

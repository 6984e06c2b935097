package io.pgherd.dcs;

import java.util.List;
import java.util.Optional;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The fenced writes of {@link ZooKeeperDcs} ({@link Dcs#acquire} and the writes that carry a {@link Fence}): each
 * is one ZooKeeper {@code multi} that checks the epoch key's {@code version} (see {@link Fence} for why that
 * checks its mod revision) together with the write, so a writer whose epoch was advanced since writes nothing.
 * {@code acquire} creates the ephemeral lease key and advances the epoch key in one {@code multi}. As every
 * {@link ZooKeeperDcs} call, each ends in a {@link DcsException} when ZooKeeper does not answer; false or empty
 * means ZooKeeper answered no. Thread-safe.
 */
final class ZooKeeperFencedWrites {
    private final ZooKeeperDcs dcs;
    private final CuratorFramework client;

    /** @param client the client of {@code dcs} that holds no session of a {@link Session} */
    ZooKeeperFencedWrites(ZooKeeperDcs dcs, CuratorFramework client) {
        this.dcs = dcs;
        this.client = client;
    }

    /** {@link Dcs#acquire}, the keys checked and the session {@code owner} alive. */
    Optional<Fence> acquire(String key, String value, ZooKeeperSession owner, String epochKey, String epochValue) {
        return dcs.call("acquire", key, () -> {
            CuratorFramework sessionClient = owner.client();
            for (int attempt = 1; attempt <= ZooKeeperDcs.MAX_WRITE_ATTEMPTS; attempt++) {
                Stat epoch = new Stat();
                try {
                    client.getData().storingStatIn(epoch).forPath(epochKey);
                } catch (KeeperException.NoNodeException absent) {
                    // Creating the epoch key alone grants nothing: only advancing it with the lease key does.
                    try {
                        ZooKeeperDcs.create(client, epochKey, epochValue, CreateMode.PERSISTENT, new Stat());
                    } catch (KeeperException.NodeExistsException raced) {
                        // Created by a contender: fine.
                    }
                    continue;
                }
                try {
                    ZooKeeperDcs.ensureParents(sessionClient, key);
                    List<CuratorTransactionResult> results = sessionClient.transaction().forOperations(
                            sessionClient.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                    .forPath(key, ZooKeeperDcs.bytes(value)),
                            sessionClient.transactionOp().setData().withVersion(epoch.getVersion())
                                    .forPath(epochKey, ZooKeeperDcs.bytes(epochValue)));
                    Stat created = new Stat();
                    sessionClient.getData().storingStatIn(created).forPath(key);
                    owner.requireOwned("acquire", key, created);
                    return Optional.of(new Fence(epochKey, results.get(1).getResultStat().getMzxid()));
                } catch (KeeperException.NodeExistsException held) {
                    return Optional.empty();
                } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                    // The epoch moved (a contender), or a parent container vanished: read again.
                }
            }
            throw new DcsException(dcs.store(), "acquire", key, "epoch key " + epochKey + " changed under every one of "
                    + ZooKeeperDcs.MAX_WRITE_ATTEMPTS + " attempts", null);
        });
    }

    /** {@link Dcs#compareAndSet(String, long, String, Fence)}. */
    boolean compareAndSet(String key, long expectedModRevision, String value, Fence fence) {
        return fencedChange("compareAndSet", key, expectedModRevision, fence,
                stat -> client.transactionOp().setData().withVersion(stat.getVersion()).forPath(key, ZooKeeperDcs.bytes(value)));
    }

    /** {@link Dcs#createIfAbsent(String, String, Fence)}. */
    boolean createIfAbsent(String key, String value, Fence fence) {
        Keys.requireKey(key);
        return dcs.call("createIfAbsent", key, () -> {
            for (int attempt = 1; attempt <= ZooKeeperDcs.MAX_WRITE_ATTEMPTS; attempt++) {
                Optional<Integer> fenceVersion = fenceVersion(fence);
                if (fenceVersion.isEmpty()) {
                    return false;
                }
                ZooKeeperDcs.ensureParents(client, key);
                try {
                    client.transaction().forOperations(
                            client.transactionOp().check().withVersion(fenceVersion.get()).forPath(fence.key()),
                            client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(key, ZooKeeperDcs.bytes(value)));
                    return true;
                } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException e) {
                    return false;
                } catch (KeeperException.NoNodeException e) {
                    // The fence key vanished (the next read says so), or a parent container did: again.
                }
            }
            throw new DcsException(dcs.store(), "createIfAbsent", key,
                    "a parent vanished under every one of " + ZooKeeperDcs.MAX_WRITE_ATTEMPTS + " attempts to create it", null);
        });
    }

    /** {@link Dcs#compareAndDelete(String, long, Fence)}. */
    boolean compareAndDelete(String key, long expectedModRevision, Fence fence) {
        return fencedChange("compareAndDelete", key, expectedModRevision, fence,
                stat -> client.transactionOp().delete().withVersion(stat.getVersion()).forPath(key));
    }

    /** One change of an existing key, as a ZooKeeper operation made from the key's current stat. */
    @FunctionalInterface
    private interface KeyChange {
        CuratorOp of(Stat current) throws Exception;
    }

    /**
     * Applies {@code change} to {@code key} in one {@code multi} with a check of the fence key's version, if the key
     * was last written at {@code expectedModRevision} and the fence still holds; false otherwise.
     */
    private boolean fencedChange(String operation, String key, long expectedModRevision, Fence fence, KeyChange change) {
        Keys.requireKey(key);
        return dcs.call(operation, key, () -> {
            Optional<Integer> fenceVersion = fenceVersion(fence);
            Stat stat = new Stat();
            try {
                client.getData().storingStatIn(stat).forPath(key);
            } catch (KeeperException.NoNodeException e) {
                return false;
            }
            if (fenceVersion.isEmpty() || stat.getMzxid() != expectedModRevision) {
                return false;
            }
            try {
                client.transaction().forOperations(
                        client.transactionOp().check().withVersion(fenceVersion.get()).forPath(fence.key()),
                        change.of(stat));
                return true;
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                return false;
            }
        });
    }

    /**
     * The version of the fence's epoch key if it still has the fence's mod revision; see
     * {@link Fence} for why checking this version in a transaction checks the mod revision.
     */
    private Optional<Integer> fenceVersion(Fence fence) throws Exception {
        Stat stat = new Stat();
        try {
            client.getData().storingStatIn(stat).forPath(fence.key());
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
        return stat.getMzxid() == fence.modRevision() ? Optional.of(stat.getVersion()) : Optional.empty();
    }
}

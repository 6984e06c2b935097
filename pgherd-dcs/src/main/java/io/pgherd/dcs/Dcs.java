package io.pgherd.dcs;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The distributed configuration store: a small consistent key-value store with atomic create,
 * compare-and-set, compare-and-delete, keys bound to a {@link Session}, and watches. Every pgherd
 * process shares the cluster's state through it (DESIGN.md §2).
 *
 * <p>Each method below states what it guarantees. Two kinds of outcome must not be confused:
 * <ul>
 *   <li>the store <b>answered</b>: the result is a fact — {@code false} means the condition did not
 *       hold and nothing was written, empty means the key does not exist;</li>
 *   <li>the store <b>did not answer</b> within the operation timeout (unreachable, no quorum):
 *       a {@link DcsException} is thrown, and for a write <b>the outcome is unknown</b>. No call
 *       blocks longer than about twice the operation timeout.</li>
 * </ul>
 * Writes are linearizable on both backends. Reads ({@link #get}, {@link #list}) are linearizable
 * on etcd; on ZooKeeper they are sequentially consistent: they may miss a write that another
 * client saw acknowledged a moment ago, but never go back in time for one client.
 *
 * <p>Keys look like {@code /pgherd/<cluster>/leader} ({@link ClusterKeys} builds them); prefixes
 * end with {@code /}. A malformed key or prefix throws {@link IllegalArgumentException}. Values
 * live in the leaves: a key is never also the start of a prefix of other keys (none of
 * {@link ClusterKeys} is), as ZooKeeper would keep such a key and its parent node apart.
 *
 * <p>Implementations are thread-safe. Connecting never blocks and never fails for an unreachable
 * store: the first operation reports it.
 */
public sealed interface Dcs extends AutoCloseable permits EtcdDcs, ZooKeeperDcs {

    /**
     * Connects to the store at {@code address}.
     *
     * @param operationTimeout how long one operation may wait for the store before it throws
     *                         {@link DcsException}
     */
    static Dcs connect(DcsAddress address, Duration operationTimeout) {
        return switch (address.backend()) {
            case ETCD -> EtcdDcs.connect(address.servers(), operationTimeout);
            case ZOOKEEPER -> ZooKeeperDcs.connect(address.hostPorts(), operationTimeout);
        };
    }

    /** Connects to {@code etcd://host:port,...} or {@code zookeeper://host:port,...}; see {@link DcsAddress}. */
    static Dcs connect(String address, Duration operationTimeout) {
        return connect(DcsAddress.parse(address), operationTimeout);
    }

    /**
     * Reads one key.
     *
     * @return the entry, or empty if the key does not exist
     * @throws DcsException if the store did not answer
     */
    Optional<Entry> get(String key);

    /**
     * Reads every key under {@code prefix}, at any depth, sorted by key. On etcd the list is one
     * snapshot; on ZooKeeper each entry is a value its key had during the call, but keys created
     * or deleted during the call may or may not appear.
     *
     * @param prefix such as {@code /pgherd/main/members/}
     * @throws DcsException if the store did not answer
     */
    List<Entry> list(String prefix);

    /**
     * Atomically creates a persistent key if no key of that name exists.
     *
     * @return true if this call created it; false if the key already existed (nothing written)
     * @throws DcsException if the store did not answer (the key may or may not have been created)
     */
    boolean createIfAbsent(String key, String value);

    /**
     * Atomically creates a key bound to {@code session} if no key of that name exists: of any
     * number of clients racing for the same absent key, exactly one gets an entry. The key is
     * deleted by the store when the session ends. The entry's
     * {@link Entry#createRevision() createRevision} is the epoch: larger than that of any earlier
     * incarnation of the key.
     *
     * @return the entry if {@code session} holds the key after this call (it created it now, or
     *         an earlier call with the same session did, as can happen when a request is retried);
     *         empty if another session or a persistent key holds it (nothing written)
     * @throws LostSessionException if {@code session} is not alive (nothing written)
     * @throws DcsException         if the store did not answer (the key may or may not have been created)
     */
    Optional<Entry> createEphemeral(String key, String value, Session session);

    /**
     * Writes a key bound to {@code session}, whether or not it exists: creates it, or replaces its
     * value and binds it to {@code session} (used for member records, which each member alone
     * writes).
     *
     * @return the entry as written
     * @throws LostSessionException if {@code session} is not alive (nothing written)
     * @throws DcsException         if the store did not answer (the write may or may not have happened)
     */
    Entry putEphemeral(String key, String value, Session session);

    /**
     * Writes a key whether or not it exists: creates it as a persistent key, or replaces the value
     * of the existing key and keeps its lifetime (an ephemeral key stays bound to its session).
     *
     * @throws DcsException if the store did not answer (the write may or may not have happened)
     */
    void put(String key, String value);

    /**
     * Atomically replaces the value of a key if it was not written since {@code expectedModRevision}
     * was read. The key keeps its lifetime: an ephemeral key stays bound to its session, so the
     * leader renews its key this way without ever leaving a gap.
     *
     * @param expectedModRevision the {@link Entry#modRevision()} the caller read
     * @return true if written; false if the key no longer exists or was written since (nothing written)
     * @throws DcsException if the store did not answer (the write may or may not have happened)
     */
    boolean compareAndSet(String key, long expectedModRevision, String value);

    /**
     * Atomically deletes a key if it was not written since {@code expectedModRevision} was read,
     * as a leader releasing its key does, so it cannot delete a successor's key.
     *
     * @return true if deleted; false if the key no longer exists or was written since (nothing deleted)
     * @throws DcsException if the store did not answer (the key may or may not have been deleted)
     */
    boolean compareAndDelete(String key, long expectedModRevision);

    /**
     * Deletes a key, whatever its value.
     *
     * @return true if the key existed and was deleted by this call; false if it did not exist
     * @throws DcsException if the store did not answer (the key may or may not have been deleted)
     */
    boolean delete(String key);

    /**
     * Takes a lease with a fencing token in one atomic step: creates {@code key} bound to
     * {@code session} if no key of that name exists <b>and</b> in the same transaction writes
     * {@code epochValue} to the persistent {@code epochKey} (creating it if absent). The fence
     * returned names the epoch key's new mod revision, larger than any earlier fence of it.
     *
     * <p>Because the epoch key advances only together with the creation of an absent lease key,
     * a holder whose lease key vanished (its session lost) can never advance it again: at most one
     * fence of an epoch key passes at a time, and it belongs to the holder of the lease key, or
     * to the last one until someone else acquires.
     *
     * @return the fence if this call created the key; empty if the key exists (nothing written)
     * @throws LostSessionException if {@code session} is not alive (nothing written)
     * @throws DcsException         if the store did not answer (the key may or may not have been created)
     */
    Optional<Fence> acquire(String key, String value, Session session, String epochKey, String epochValue);

    /**
     * {@link #compareAndSet(String, long, String)} that also requires {@code fence} to pass, in the
     * same transaction: a holder deposed since it took its fence writes nothing.
     *
     * @return true if written; false if the key changed or vanished, or the fence no longer passes
     * @throws DcsException if the store did not answer (the write may or may not have happened)
     */
    boolean compareAndSet(String key, long expectedModRevision, String value, Fence fence);

    /**
     * {@link #createIfAbsent(String, String)} that also requires {@code fence} to pass, in the same
     * transaction.
     *
     * @return true if created; false if the key exists or the fence no longer passes
     * @throws DcsException if the store did not answer (the key may or may not have been created)
     */
    boolean createIfAbsent(String key, String value, Fence fence);

    /**
     * {@link #compareAndDelete(String, long)} that also requires {@code fence} to pass, in the same
     * transaction.
     *
     * @return true if deleted; false if the key changed or vanished, or the fence no longer passes
     * @throws DcsException if the store did not answer (the key may or may not have been deleted)
     */
    boolean compareAndDelete(String key, long expectedModRevision, Fence fence);

    /**
     * Opens a session that the client renews in the background until it is closed or lost.
     *
     * @param ttl how long the store keeps the session's keys after the last renewal; the store may
     *            grant another value, see {@link Session#ttl()}
     * @throws DcsException if the store did not answer (no session exists)
     */
    Session openSession(Duration ttl);

    /**
     * Watches every key under {@code prefix}: every change applied by the store after this method
     * returns is delivered to {@code listener} as a {@link WatchEvent}, in order, unless a
     * {@link WatchEvent.Reset} says events may have been missed. The watch survives the store
     * being unreachable for a while (it reports {@code Reset} and resumes).
     *
     * <p>Events of all watches and session notifications of this client run on one thread, in
     * order; a listener may call this {@link Dcs}, but a slow listener delays every other event.
     *
     * @throws DcsException if the store did not answer (no watch exists)
     */
    Watch watch(String prefix, Consumer<WatchEvent> listener);

    /**
     * Closes the sessions and watches opened through this client, then the connection. Idempotent;
     * never throws.
     */
    @Override
    void close();
}

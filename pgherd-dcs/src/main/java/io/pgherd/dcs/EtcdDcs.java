package io.pgherd.dcs;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

/**
 * {@link Dcs} on etcd v3 through jetcd.
 *
 * <p>Conditions are etcd transactions: create-if-absent compares the key's {@code version} with 0,
 * compare-and-set and compare-and-delete compare its {@code mod_revision}. Sessions are leases kept
 * alive by jetcd ({@link EtcdSession}). Writes that must keep a key's lease (compare-and-set,
 * put) read the key first and write it back with the same lease in a transaction guarded by its
 * {@code mod_revision}, as etcd 3.4's {@code ignore_lease} is not exposed by jetcd.
 *
 * <p>Thread-safe; every operation waits at most the operation timeout for etcd.
 */
public final class EtcdDcs implements Dcs {

    /** A write that keeps a key's lease retries this often when the key changes under it. */
    private static final int MAX_WRITE_ATTEMPTS = 8;

    private final String store;
    private final Client client;
    private final KV kv;
    private final Duration timeout;
    private final ExecutorService events;
    private final Set<EtcdSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();

    private EtcdDcs(List<InetSocketAddress> servers, Duration timeout) {
        String hostPorts = servers.stream().map(DcsAddress::hostPort).collect(Collectors.joining(","));
        this.store = "etcd " + hostPorts;
        this.timeout = timeout;
        this.client = Client.builder()
                .endpoints(servers.stream().map(s -> "http://" + DcsAddress.hostPort(s)).toArray(String[]::new))
                .connectTimeout(timeout)
                // Fail a call at once while no connection is up instead of queueing it; jetcd
                // retries within retryMaxDuration, and await() bounds the whole call anyway.
                .waitForReady(false)
                .retryMaxDuration(timeout)
                .build();
        this.kv = client.getKVClient();
        this.events = EventThread.start("pgherd-dcs-etcd-events");
    }

    /**
     * Connects to etcd (lazily: an unreachable etcd shows in the first operation).
     *
     * @param operationTimeout how long one operation may wait for etcd
     */
    public static EtcdDcs connect(List<InetSocketAddress> servers, Duration operationTimeout) {
        if (operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("operation timeout must be positive (got " + operationTimeout + ")");
        }
        return new EtcdDcs(servers, operationTimeout);
    }

    @Override
    public Optional<Entry> get(String key) {
        Keys.requireKey(key);
        GetResponse response = await("get", key, kv.get(bytes(key)));
        return response.getKvs().stream().findFirst().map(EtcdDcs::entry);
    }

    @Override
    public List<Entry> list(String prefix) {
        Keys.requirePrefix(prefix);
        GetResponse response = await("list", prefix, kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()));
        return response.getKvs().stream().map(EtcdDcs::entry).toList();
    }

    @Override
    public boolean createIfAbsent(String key, String value) {
        Keys.requireKey(key);
        TxnResponse response = await("createIfAbsent", key, kv.txn()
                .If(absent(key))
                .Then(Op.put(bytes(key), bytes(value), PutOption.DEFAULT))
                .commit());
        return response.isSucceeded();
    }

    @Override
    public Optional<Entry> createEphemeral(String key, String value, Session session) {
        Keys.requireKey(key);
        long lease = aliveLease("createEphemeral", key, session);
        TxnResponse response = await("createEphemeral", key, kv.txn()
                .If(absent(key))
                .Then(Op.put(bytes(key), bytes(value), withLease(lease)))
                .Else(Op.get(bytes(key), GetOption.DEFAULT))
                .commit());
        if (response.isSucceeded()) {
            long revision = response.getHeader().getRevision();
            return Optional.of(new Entry(key, value, revision, revision, true));
        }
        // A retried request may find the key it created itself.
        return response.getGetResponses().stream()
                .flatMap(get -> get.getKvs().stream())
                .filter(existing -> existing.getLease() == lease)
                .findFirst()
                .map(EtcdDcs::entry);
    }

    @Override
    public Entry putEphemeral(String key, String value, Session session) {
        Keys.requireKey(key);
        long lease = aliveLease("putEphemeral", key, session);
        TxnResponse response = await("putEphemeral", key, kv.txn()
                .Then(Op.put(bytes(key), bytes(value), withLease(lease)), Op.get(bytes(key), GetOption.DEFAULT))
                .commit());
        return response.getGetResponses().stream()
                .flatMap(get -> get.getKvs().stream())
                .findFirst()
                .map(EtcdDcs::entry)
                .orElseThrow(() -> new DcsException(store, "putEphemeral", key, "key missing right after writing it", null));
    }

    @Override
    public void put(String key, String value) {
        Keys.requireKey(key);
        for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
            Optional<KeyValue> current = await("put", key, kv.get(bytes(key))).getKvs().stream().findFirst();
            TxnResponse response = await("put", key, current
                    .map(existing -> kv.txn()
                            .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(existing.getModRevision())))
                            .Then(Op.put(bytes(key), bytes(value), withLease(existing.getLease()))))
                    .orElseGet(() -> kv.txn()
                            .If(absent(key))
                            .Then(Op.put(bytes(key), bytes(value), PutOption.DEFAULT)))
                    .commit());
            if (response.isSucceeded()) {
                return;
            }
        }
        throw new DcsException(store, "put", key,
                "key changed under every one of " + MAX_WRITE_ATTEMPTS + " attempts to write it", null);
    }

    @Override
    public boolean compareAndSet(String key, long expectedModRevision, String value) {
        Keys.requireKey(key);
        Optional<KeyValue> current = await("compareAndSet", key, kv.get(bytes(key))).getKvs().stream().findFirst();
        if (current.isEmpty() || current.get().getModRevision() != expectedModRevision) {
            return false;
        }
        // The guard on mod_revision also guards the lease: rebinding a key is a write.
        TxnResponse response = await("compareAndSet", key, kv.txn()
                .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(bytes(key), bytes(value), withLease(current.get().getLease())))
                .commit());
        return response.isSucceeded();
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision) {
        Keys.requireKey(key);
        if (expectedModRevision <= 0) {
            return false;
        }
        TxnResponse response = await("compareAndDelete", key, kv.txn()
                .If(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.delete(bytes(key), DeleteOption.DEFAULT))
                .commit());
        return response.isSucceeded();
    }

    @Override
    public boolean delete(String key) {
        Keys.requireKey(key);
        return await("delete", key, kv.delete(bytes(key))).getDeleted() > 0;
    }

    @Override
    public Optional<Fence> acquire(String key, String value, Session session, String epochKey, String epochValue) {
        Keys.requireKey(key);
        Keys.requireKey(epochKey);
        long lease = aliveLease("acquire", key, session);
        for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
            Optional<KeyValue> epoch = await("acquire", epochKey, kv.get(bytes(epochKey))).getKvs().stream().findFirst();
            Cmp epochUnchanged = epoch
                    .map(e -> new Cmp(bytes(epochKey), Cmp.Op.EQUAL, CmpTarget.modRevision(e.getModRevision())))
                    .orElseGet(() -> absent(epochKey));
            TxnResponse response = await("acquire", key, kv.txn()
                    .If(absent(key), epochUnchanged)
                    .Then(Op.put(bytes(key), bytes(value), withLease(lease)),
                            Op.put(bytes(epochKey), bytes(epochValue), PutOption.DEFAULT))
                    .Else(Op.get(bytes(key), GetOption.DEFAULT))
                    .commit());
            if (response.isSucceeded()) {
                // Both puts of one transaction carry its revision.
                return Optional.of(new Fence(epochKey, response.getHeader().getRevision()));
            }
            boolean held = response.getGetResponses().stream().anyMatch(get -> !get.getKvs().isEmpty());
            if (held) {
                return Optional.empty();
            }
            // The epoch moved under us while the key was absent: another contender; read again.
        }
        throw new DcsException(store, "acquire", key,
                "epoch key " + epochKey + " changed under every one of " + MAX_WRITE_ATTEMPTS + " attempts", null);
    }

    @Override
    public boolean compareAndSet(String key, long expectedModRevision, String value, Fence fence) {
        Keys.requireKey(key);
        Optional<KeyValue> current = await("compareAndSet", key, kv.get(bytes(key))).getKvs().stream().findFirst();
        if (current.isEmpty() || current.get().getModRevision() != expectedModRevision) {
            return false;
        }
        TxnResponse response = await("compareAndSet", key, kv.txn()
                .If(passes(fence), new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(bytes(key), bytes(value), withLease(current.get().getLease())))
                .commit());
        return response.isSucceeded();
    }

    @Override
    public boolean createIfAbsent(String key, String value, Fence fence) {
        Keys.requireKey(key);
        TxnResponse response = await("createIfAbsent", key, kv.txn()
                .If(passes(fence), absent(key))
                .Then(Op.put(bytes(key), bytes(value), PutOption.DEFAULT))
                .commit());
        return response.isSucceeded();
    }

    @Override
    public boolean compareAndDelete(String key, long expectedModRevision, Fence fence) {
        Keys.requireKey(key);
        if (expectedModRevision <= 0) {
            return false;
        }
        TxnResponse response = await("compareAndDelete", key, kv.txn()
                .If(passes(fence), new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.delete(bytes(key), DeleteOption.DEFAULT))
                .commit());
        return response.isSucceeded();
    }

    /** The epoch key was not written since the fence was taken (a deleted key has mod_revision 0). */
    private static Cmp passes(Fence fence) {
        return new Cmp(bytes(fence.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(fence.modRevision()));
    }

    @Override
    public Session openSession(Duration ttl) {
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        // etcd grants the lease after this moment, so it lives at least its TTL from here.
        long opened = System.nanoTime();
        var grant = await("openSession", "ttl " + seconds + " s", client.getLeaseClient().grant(seconds));
        EtcdSession session = new EtcdSession(this, client.getLeaseClient(), grant.getID(), Duration.ofSeconds(grant.getTTL()), events,
                opened);
        sessions.add(session);
        session.start();
        return session;
    }

    @Override
    public Watch watch(String prefix, Consumer<WatchEvent> listener) {
        Keys.requirePrefix(prefix);
        // Start right after the revision read now, so that nothing written after this call
        // returns can be missed, however long the watch takes to be created.
        long revision = await("watch", prefix, kv.get(bytes(prefix),
                GetOption.builder().isPrefix(true).withCountOnly(true).build())).getHeader().getRevision();
        EtcdWatch watch = new EtcdWatch(this, prefix, listener, events);
        watches.add(watch);
        watch.start(client.getWatchClient(), revision + 1);
        return watch;
    }

    @Override
    public void close() {
        watches.forEach(EtcdWatch::close);
        sessions.forEach(EtcdSession::close);
        client.close();
        EventThread.stop(events);
    }

    @Override
    public String toString() {
        return store;
    }

    void forget(EtcdSession session) {
        sessions.remove(session);
    }

    void forget(EtcdWatch watch) {
        watches.remove(watch);
    }

    String store() {
        return store;
    }

    /** Waits for a jetcd call for at most the operation timeout; any failure becomes a DcsException. */
    <T> T await(String operation, String key, CompletableFuture<T> call) {
        long start = System.nanoTime();
        try {
            return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new DcsException(store, operation, key, "no answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new DcsException(store, operation, key,
                    "failed after " + elapsedMillis(start) + " ms: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new DcsException(store, operation, key, "interrupted after " + elapsedMillis(start) + " ms", e);
        }
    }

    private long aliveLease(String operation, String key, Session session) {
        if (!(session instanceof EtcdSession etcdSession) || !etcdSession.belongsTo(this)) {
            throw new IllegalArgumentException(operation + " " + key + ": session " + session.id()
                    + " was not opened by " + store);
        }
        if (session.state() != Session.State.ALIVE) {
            throw new LostSessionException(store, operation, key, session);
        }
        return etcdSession.lease();
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static Cmp absent(String key) {
        return new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0));
    }

    private static PutOption withLease(long lease) {
        return lease == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(lease).build();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, UTF_8);
    }

    static Entry entry(KeyValue kv) {
        return new Entry(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8),
                kv.getCreateRevision(), kv.getModRevision(), kv.getLease() != 0);
    }
}

package io.pgherd.dcs;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

/**
 * A {@link Session} backed by an etcd lease that jetcd keeps alive. jetcd reports a failed
 * keepalive stream with {@code onError} and a lease that got no answer for its TTL with
 * {@code onCompleted}; either one makes the session {@link Session.State#LOST LOST} for good,
 * and the keepalive for its lease stops, even though jetcd would later reopen the stream.
 */
final class EtcdSession implements Session {

    private static final Logger log = LoggerFactory.getLogger(EtcdSession.class);

    private final EtcdDcs dcs;
    private final Lease leases;
    private final long lease;
    private final Duration ttl;
    private final SessionLifecycle lifecycle;
    private final Renewals renewals;
    private volatile CloseableClient keepAlive;

    /** @param openedNanos when the lease was asked for ({@link System#nanoTime()}), before etcd granted it */
    EtcdSession(EtcdDcs dcs, Lease leases, long lease, Duration ttl, Executor events, long openedNanos) {
        this.dcs = dcs;
        this.leases = leases;
        this.lease = lease;
        this.ttl = ttl;
        this.lifecycle = new SessionLifecycle(dcs.store() + " lease " + id(), events);
        this.renewals = new Renewals(ttl, openedNanos);
    }

    void start() {
        keepAlive = leases.keepAlive(lease, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                // Renewed; jetcd itself tracks the deadline of the next answer.
            }

            @Override
            public void onError(Throwable error) {
                lose("keepalive failed: " + error.getMessage());
            }

            @Override
            public void onCompleted() {
                lose("no keepalive answer within the ttl of " + ttl.toSeconds() + " s");
            }
        });
        // The keepalive may have failed before the field was set.
        if (lifecycle.state() != State.ALIVE) {
            stopKeepAlive();
        }
    }

    long lease() {
        return lease;
    }

    boolean belongsTo(EtcdDcs owner) {
        return dcs == owner;
    }

    @Override
    public String id() {
        return Long.toHexString(lease);
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public State state() {
        return lifecycle.state();
    }

    /** One keepalive request of its own (etcd renews the lease to its full TTL when it answers with a TTL above 0). */
    @Override
    public void renew() {
        long sent = System.nanoTime();
        if (state() != State.ALIVE || !renewals.begin(sent)) {
            return;
        }
        leases.keepAliveOnce(lease).whenComplete((response, error) -> {
            if (error == null && response.getTTL() > 0) {
                renewals.confirmed(sent);
            } else {
                renewals.failed(sent);
            }
        });
    }

    @Override
    public long expiresNotBeforeNanos() {
        return renewals.expiresNotBeforeNanos();
    }

    @Override
    public void onLost(Consumer<String> listener) {
        lifecycle.onLost(listener);
    }

    @Override
    public void close() {
        lifecycle.close();
        stopKeepAlive();
        dcs.forget(this);
        // Revoked even when lost: if etcd still has the lease, its keys go now rather than at the end of the ttl.
        try {
            dcs.await("closeSession", "lease " + id(), leases.revoke(lease));
        } catch (DcsException e) {
            log.debug("{}: lease {} not revoked, its keys go when its ttl runs out: {}", dcs.store(), id(), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "etcd lease " + id() + " (ttl " + ttl.toSeconds() + " s, " + state() + ")";
    }

    private void lose(String reason) {
        if (lifecycle.lose(reason)) {
            stopKeepAlive();
        }
    }

    private void stopKeepAlive() {
        CloseableClient client = keepAlive;
        if (client != null) {
            client.close();
        }
    }
}

package io.pgherd.proxy.cluster;

/** Told what sessions see of the primary (the cluster follower, which confirms the leader again). */
public interface PrimaryWatcher {
    /** A server connection to the primary broke, or one could not be opened. Must not block. */
    void primaryFailed(String node, String reason);

    /**
     * One server connection to the primary was ended by the server (FATAL 57P01: a
     * pg_terminate_backend, or the server shutting down). Unlike {@link #primaryFailed}, writes
     * are held only if the primary then fails to answer as a writable primary: one terminated
     * backend must not hold everyone's writes. Must not block.
     */
    void primaryConnectionTerminated(String node, String reason);

    /** The first write after a change of primary went through. Must not block. */
    void firstWrite();
}

package io.pgherd.dcs;

/** A running {@link Dcs#watch}. Thread-safe. */
public sealed interface Watch extends AutoCloseable permits EtcdWatch, ZooKeeperWatch {

    /** Stops the watch: once this returns, the listener gets no further event. Idempotent. */
    @Override
    void close();
}

package io.pgherd.dcs;

/** A running {@link Dcs#watch}. Thread-safe. */
public interface Watch extends AutoCloseable {

    /** Stops the watch: once this returns, the listener gets no further event. Idempotent. */
    @Override
    void close();
}

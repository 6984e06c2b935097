package io.pgherd.dcs;

/**
 * What a {@link Dcs#watch} reports. Events of one watch arrive in the order the store applied
 * them.
 */
public sealed interface WatchEvent {

    /** A key under the watched prefix was created or written; {@code entry} is its new state. */
    record Put(Entry entry) implements WatchEvent {
    }

    /** A key under the watched prefix was deleted, by a client or by the end of its session. */
    record Delete(String key) implements WatchEvent {
    }

    /**
     * Events may have been missed (the connection to the store broke, or the store could not
     * replay history). The watch goes on; read the state again with {@link Dcs#list}.
     */
    record Reset(String reason) implements WatchEvent {
    }

    /**
     * The store ended the watch and no event will follow; open a new one. Not sent after
     * {@link Watch#close()}.
     */
    record Ended(String reason) implements WatchEvent {
    }
}

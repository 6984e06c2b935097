package io.pgherd.postgres;

import java.util.Locale;

/**
 * What a node is for. A {@code STANDBY} is a failover candidate; a {@code REPLICA} only serves
 * reads and is never promoted (Patroni's {@code nofailover} tag).
 */
public enum NodeRole {
    PRIMARY, STANDBY, REPLICA;

    /** The lower-case name used in output and files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #label()}. */
    public static NodeRole fromLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}

package io.pgherd.postgres;

/**
 * One node of a local cluster as laid out: its name (also its directory, replication slot and
 * {@code application_name}), what it is for, and its port on 127.0.0.1.
 */
public record NodeSpec(String name, NodeRole role, int port) {
    public NodeSpec {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("node name must match [a-z][a-z0-9_]{0,62} (got '" + name + "')");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("node " + name + ": port must be 1..65535 (got " + port + ")");
        }
    }
}

package io.pgherd.postgres;

/**
 * What a node is doing right now.
 *
 * @param name the node's name
 * @param role its role: {@code PRIMARY} if it runs and accepts writes, otherwise its laid-out role
 * @param port its port on 127.0.0.1
 * @param running whether its postmaster runs
 * @param streaming for a standby or replica: whether its WAL receiver streams from the primary
 * @param lagBytes replay lag behind the primary's current WAL position in bytes, or {@code null} if unknown
 * @param lagSeconds replay lag in seconds as the primary measures it, or {@code null} if unknown
 */
public record NodeStatus(String name, NodeRole role, int port, boolean running, boolean streaming, Long lagBytes,
                         Double lagSeconds) {
    /** {@code running}, {@code streaming} or {@code stopped}; a running standby that does not stream is {@code running}. */
    public String state() {
        if (!running) {
            return "stopped";
        }
        return streaming ? "streaming" : "running";
    }
}

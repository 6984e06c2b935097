package io.pgherd.agent.ha;

import java.util.List;

/**
 * What a member publishes about itself in {@code members/<name>} every cycle (and what the others
 * judge candidates by).
 *
 * @param name the member's name
 * @param role primary, standby or replica as configured ({@code replica} never takes the key)
 * @param state what its PostgreSQL is doing: running, stopped, starting, ...
 * @param host where its PostgreSQL listens
 * @param port its PostgreSQL port
 * @param apiUrl its REST API
 * @param running whether its PostgreSQL runs
 * @param inRecovery whether its PostgreSQL is a standby
 * @param timeline its timeline
 * @param position its WAL position: the current one of a primary, the last received one of a standby
 * @param replayed the last replayed position of a standby (the current one of a primary)
 * @param noFailover whether it may never take the key (read replicas)
 * @param failoverPriority among candidates at the same position the higher wins
 * @param following the member whose WAL it streams, or empty
 * @param pendingRestart whether its PostgreSQL runs with a parameter whose new value applies only after a restart
 * @param pendingRestartParameters those parameters, sorted (empty when none or unknown)
 * @param noLoadBalance tag {@code noloadbalance}: serves no reads ({@code GET /replica} answers 503)
 * @param cloneFrom tag {@code clonefrom}: new members clone from it rather than from the leader
 */
public record Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                     boolean inRecovery, int timeline, long position, long replayed, boolean noFailover,
                     int failoverPriority, String following, boolean pendingRestart, List<String> pendingRestartParameters,
                     boolean noLoadBalance, boolean cloneFrom) {
    public Member {
        pendingRestartParameters = pendingRestartParameters == null ? List.of() : List.copyOf(pendingRestartParameters);
    }

    /** A member without the noloadbalance and clonefrom tags. */
    public Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                  boolean inRecovery, int timeline, long position, long replayed, boolean noFailover, int failoverPriority,
                  String following, boolean pendingRestart, List<String> pendingRestartParameters) {
        this(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, pendingRestart, pendingRestartParameters, false, false);
    }

    /** A member without a pending restart. */
    public Member(String name, String role, String state, String host, int port, String apiUrl, boolean running,
                  boolean inRecovery, int timeline, long position, long replayed, boolean noFailover, int failoverPriority,
                  String following) {
        this(name, role, state, host, port, apiUrl, running, inRecovery, timeline, position, replayed, noFailover,
                failoverPriority, following, false, List.of(), false, false);
    }
}

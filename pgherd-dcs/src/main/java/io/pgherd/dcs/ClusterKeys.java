package io.pgherd.dcs;

/**
 * The keys of one cluster, all under {@code /pgherd/<cluster>/} (DESIGN.md §2 says what each
 * holds and how long it lives).
 *
 * @param cluster the cluster name: letters, digits, {@code -}, {@code _} and {@code .}
 */
public record ClusterKeys(String cluster) {

    public ClusterKeys {
        if (cluster == null || !cluster.matches("[A-Za-z0-9_.-]{1,63}") || cluster.equals(".") || cluster.equals("..")) {
            throw new IllegalArgumentException(
                    "cluster name must be 1 to 63 letters, digits, '-', '_' or '.' (got " + cluster + ")");
        }
    }

    /** {@code /pgherd/<cluster>/}: everything of this cluster, for {@link Dcs#list} and {@link Dcs#watch}. */
    public String prefix() {
        return "/pgherd/" + cluster + "/";
    }

    /** Ephemeral; the member that leads. Its create revision is the epoch. */
    public String leader() {
        return prefix() + "leader";
    }

    /** Prefix of the ephemeral member records. */
    public String members() {
        return prefix() + "members/";
    }

    /** Ephemeral record of one member. */
    public String member(String name) {
        return members() + segment("member", name);
    }

    /** Persistent; the member that initialized the cluster (created once, by the winner of the bootstrap race). */
    public String initialize() {
        return prefix() + "initialize";
    }

    /**
     * Persistent; the database system identifier of the cluster's data (as {@code pg_controldata} prints it),
     * written by the member that initialized it (or by a leader of a cluster initialized before the key
     * existed): a data directory with another identifier belongs to another cluster.
     */
    public String systemId() {
        return prefix() + "system_id";
    }

    /** Persistent dynamic configuration, changed with compare-and-set. */
    public String config() {
        return prefix() + "config";
    }

    /** Persistent catalogue of the PostgreSQL parameters of the version the cluster runs, written by the agents. */
    public String parameters() {
        return prefix() + "parameters";
    }

    /** Persistent last known WAL position of the leader and slot positions. */
    public String status() {
        return prefix() + "status";
    }

    /** Persistent list of promotions. */
    public String history() {
        return prefix() + "history";
    }

    /** Persistent requested switchover or failover. */
    public String failover() {
        return prefix() + "failover";
    }

    /** Persistent name of the synchronous standby. */
    public String sync() {
        return prefix() + "sync";
    }

    /** Prefix of the ephemeral proxy records. */
    public String proxies() {
        return prefix() + "proxies/";
    }

    /** Ephemeral record of one proxy. */
    public String proxy(String name) {
        return proxies() + segment("proxy", name);
    }

    /** Persistent desired replica count and autoscaling policy. */
    public String spec() {
        return prefix() + "spec";
    }

    /**
     * Ephemeral; the acting controller (its name), bound to its session. Taken together with
     * {@link #controllerEpoch()} by {@link Dcs#acquire}.
     */
    public String controller() {
        return prefix() + "controller";
    }

    /**
     * Persistent; advanced each time a controller takes {@link #controller()}. Its mod revision is the
     * controller epoch, the {@link Fence} every controller write carries. Never deleted.
     */
    public String controllerEpoch() {
        return prefix() + "controller_epoch";
    }

    /** Prefix of the persistent controller tasks. */
    public String tasks() {
        return prefix() + "tasks/";
    }

    /** Persistent record of one controller task. */
    public String task(String id) {
        return tasks() + segment("task id", id);
    }

    /** Prefix of the persistent assignments of members by the controller. */
    public String assignments() {
        return prefix() + "assignments/";
    }

    /**
     * Persistent; what the controller asks of one member (become a read replica, drain, go back to being a
     * spare), written by the controller and read by that member's agent.
     */
    public String assignment(String member) {
        return assignments() + segment("member", member);
    }

    /** Prefix of the persistent schedules. */
    public String schedules() {
        return prefix() + "schedules/";
    }

    /**
     * Persistent; one schedule: what the acting controller does at the due times of a cron expression, written by
     * users and (the due time it fired for) by the controller.
     */
    public String schedule(String name) {
        return schedules() + segment("schedule name", name);
    }

    /** Prefix of the persistent API users. */
    public String users() {
        return prefix() + "users/";
    }

    /** Persistent record of one API user: its name and role. */
    public String user(String name) {
        return users() + segment("user name", name);
    }

    /** Prefix of the persistent API tokens. */
    public String tokens() {
        return prefix() + "tokens/";
    }

    /** Persistent record of one API token, by its public id: its user, expiry and the hash of its secret (never the secret). */
    public String token(String id) {
        return tokens() + segment("token id", id);
    }

    /**
     * Persistent; the audit log of the cluster API's mutating requests, bounded. Outside {@link #prefix()} on
     * purpose: every agent, proxy and controller lists that prefix every cycle, and the log (up to a few hundred
     * kilobytes) is read only by who asks for it. {@code /pgherd-audit/} cannot be a cluster's prefix.
     */
    public String auditLog() {
        return "/pgherd-audit/" + cluster;
    }

    private static String segment(String what, String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.:@-]{1,128}") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(what + " must be 1 to 128 letters, digits or '-_.:@' (got " + name + ")");
        }
        return name;
    }
}

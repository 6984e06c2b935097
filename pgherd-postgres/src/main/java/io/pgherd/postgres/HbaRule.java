package io.pgherd.postgres;

import java.util.List;

/**
 * One record of {@code pg_hba.conf}.
 *
 * @param type {@code local}, {@code host}, {@code hostssl} …
 * @param database a database name, {@code all} or {@code replication}
 * @param user a role name or {@code all}
 * @param address a CIDR address, or {@code null} for {@code local}
 * @param method {@code scram-sha-256}, {@code md5}, {@code trust}, {@code reject} …
 */
public record HbaRule(String type, String database, String user, String address, String method) {
    /** A TCP rule. */
    public static HbaRule host(String database, String user, String address, String method) {
        return new HbaRule("host", database, user, address, method);
    }

    /** The rules pgherd writes: password logins over loopback only, for every role, and for replication. */
    public static List<HbaRule> loopback(String replicationUser) {
        return List.of(
                new HbaRule("local", "all", "all", null, "scram-sha-256"),
                host("all", "all", "127.0.0.1/32", "scram-sha-256"),
                host("all", "all", "::1/128", "scram-sha-256"),
                host("replication", replicationUser, "127.0.0.1/32", "scram-sha-256"),
                host("replication", replicationUser, "::1/128", "scram-sha-256"));
    }

    /** The whole file's text for {@code rules}, in order. */
    public static String render(List<HbaRule> rules) {
        StringBuilder out = new StringBuilder("# Written by pgherd; changes are overwritten.\n");
        for (HbaRule rule : rules) {
            out.append(String.format("%-8s %-12s %-12s %-18s %s%n", rule.type(), rule.database(), rule.user(),
                    rule.address() == null ? "" : rule.address(), rule.method()));
        }
        return out.toString();
    }
}

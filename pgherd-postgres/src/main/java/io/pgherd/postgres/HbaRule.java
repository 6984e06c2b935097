package io.pgherd.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    /**
     * The {@link #loopback} rules, then for each network of {@code members} (the hosts of the cluster's other
     * members: they stream as {@code replicationUser} and connect as {@code superuser} for pg_rewind and slot
     * drops) a replication rule and a superuser rule, then for each network of {@code clients} (proxies,
     * applications) a rule for every role. Every rule asks for a SCRAM-SHA-256 password; none trusts.
     */
    public static List<HbaRule> forNetworks(String superuser, String replicationUser, List<String> members,
                                            List<String> clients) {
        List<HbaRule> rules = new ArrayList<>(loopback(replicationUser));
        for (String network : members) {
            rules.add(host("replication", replicationUser, network, "scram-sha-256"));
            rules.add(host("all", superuser, network, "scram-sha-256"));
        }
        for (String network : clients) {
            rules.add(host("all", "all", network, "scram-sha-256"));
        }
        return List.copyOf(rules);
    }

    /**
     * What is wrong with {@code network} as the address of a {@code host} rule: it must be an IPv4 or IPv6 address
     * with a prefix length ({@code 10.0.0.0/24}, {@code fd00::/64}); empty when it is one.
     */
    public static Optional<String> networkProblem(String network) {
        int slash = network == null ? -1 : network.indexOf('/');
        if (slash <= 0 || slash == network.length() - 1 || !network.substring(slash + 1).matches("\\d{1,3}")) {
            return Optional.of("must be a network address/prefix length, such as 10.0.0.0/24 (got '" + network + "')");
        }
        String address = network.substring(0, slash);
        int bits = Integer.parseInt(network.substring(slash + 1));
        boolean v4 = address.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
        boolean v6 = !v4 && address.contains(":") && address.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return Optional.of("must be an IPv4 or IPv6 network address, such as 10.0.0.0/24 (got '" + network + "')");
        }
        int max = v4 ? 32 : 128;
        if (bits > max) {
            return Optional.of("prefix length must be 0.." + max + " (got '" + network + "')");
        }
        return Optional.empty();
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

package io.pgherd.agent;

import java.util.ArrayList;
import java.util.List;

import io.pgherd.common.config.Config;
import io.pgherd.common.config.ConfigProblem;
import io.pgherd.common.config.HostPort;
import io.pgherd.postgres.HbaRule;
import io.pgherd.postgres.PostgresNode;

/**
 * The addresses of a member on more than one machine, as its {@code agent} section sets them (Patroni's
 * {@code postgresql.listen}, {@code postgresql.connect_address}, {@code restapi.connect_address} and pg_hba
 * lines): what PostgreSQL listens on, where others reach it and its API, which networks may log in. Pure: the
 * effective {@code listen_addresses} and the checks that refuse a configuration others could not reach.
 */
final class MemberAddresses {
    private static final List<String> WILDCARDS = List.of("*", "0.0.0.0", "::");

    private MemberAddresses() {
    }

    /**
     * {@code listen} with 127.0.0.1 added when no entry covers it: the agent connects to its own PostgreSQL over
     * loopback, whatever else the server listens on.
     */
    static List<String> listenAddresses(List<String> listen) {
        boolean covered = listen.stream().anyMatch(a -> a.equals(PostgresNode.LOOPBACK) || a.equals("*")
                || a.equals("0.0.0.0"));
        if (covered) {
            return List.copyOf(listen);
        }
        List<String> out = new ArrayList<>(listen);
        out.add(PostgresNode.LOOPBACK);
        return List.copyOf(out);
    }

    /** Every problem of the address keys of {@code c}, each naming its key. */
    static List<ConfigProblem> check(Config c) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> listen = c.get(AgentConfig.LISTEN);
        String listenKey = AgentConfig.LISTEN.path();
        if (listen.isEmpty()) {
            problems.add(new ConfigProblem(listenKey, "must name at least one address (127.0.0.1: this machine only)"));
        }
        for (int i = 0; i < listen.size(); i++) {
            String a = listen.get(i);
            if (!a.matches("[A-Za-z0-9.:_-]+|\\*")) {
                problems.add(new ConfigProblem(listenKey + "[" + i + "]", "must be an IP address, a host name or *,"
                        + " one per entry (got '" + a + "')"));
            }
        }
        boolean loopbackOnly = listen.stream().allMatch(MemberAddresses::isLoopback);
        HostPort connect = c.get(AgentConfig.CONNECT_ADDRESS);
        String connectKey = AgentConfig.CONNECT_ADDRESS.path();
        if (connect == null && !loopbackOnly) {
            problems.add(new ConfigProblem(connectKey, "must be set when " + listenKey + " is not loopback only: other"
                    + " members, controllers and proxies reach this PostgreSQL at it (such as 10.0.0.5:5432)"));
        }
        if (connect != null) {
            problems.addAll(reachable(connectKey, connect));
            if (loopbackOnly && !connect.isLoopback() && !listen.isEmpty()) {
                problems.add(new ConfigProblem(listenKey, "PostgreSQL would listen on loopback only, so other hosts could"
                        + " not reach it at " + connectKey + " " + connect + "; add that address (or *)"));
            }
        }
        HostPort apiListen = c.get(AgentConfig.API_LISTEN);
        HostPort apiConnect = c.get(AgentConfig.API_CONNECT_ADDRESS);
        String apiConnectKey = AgentConfig.API_CONNECT_ADDRESS.path();
        if (apiConnect == null && WILDCARDS.contains(apiListen.host())) {
            problems.add(new ConfigProblem(apiConnectKey, "must be set when " + AgentConfig.API_LISTEN.path()
                    + " is a wildcard address (" + apiListen + "): others reach the REST API at it"));
        }
        if (apiConnect != null) {
            problems.addAll(reachable(apiConnectKey, apiConnect));
        }
        for (var key : List.of(AgentConfig.ALLOW_MEMBERS, AgentConfig.ALLOW_CLIENTS)) {
            List<String> networks = c.get(key);
            for (int i = 0; networks != null && i < networks.size(); i++) {
                String at = key.path() + "[" + i + "]";
                HbaRule.networkProblem(networks.get(i)).ifPresent(p -> problems.add(new ConfigProblem(at, p)));
            }
        }
        return problems;
    }

    /** An address published for others must name one host and a port they can connect to. */
    private static List<ConfigProblem> reachable(String key, HostPort address) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (WILDCARDS.contains(address.host()) || address.host().isBlank()) {
            problems.add(new ConfigProblem(key, "must be an address others can connect to, not a wildcard (got "
                    + address + ")"));
        }
        if (address.port() == 0) {
            problems.add(new ConfigProblem(key, "port must be 1..65535 (got " + address + ")"));
        }
        return problems;
    }

    private static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
    }
}

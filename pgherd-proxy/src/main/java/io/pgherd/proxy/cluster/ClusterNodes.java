package io.pgherd.proxy.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.pgherd.cluster.Member;
import io.pgherd.proxy.config.ProxyConfig.Node;
import io.pgherd.proxy.config.ProxyConfig.Role;

/**
 * The proxy's nodes as an HA cluster's DCS shows them (DESIGN.md §2, §4): the member holding the
 * leader key is the primary; the other members are standbys, or replicas when tagged nofailover
 * (agent role {@code replica}); a member tagged noloadbalance takes no reads (weight 0). Pure.
 */
public final class ClusterNodes {
    /** The role a spare agent without an assignment publishes (the agent's {@code SpareRules.SPARE_ROLE}). */
    static final String SPARE = "spare";

    private ClusterNodes() {
    }

    /**
     * What the proxy routes by of one member record ({@code members/<name>}, written by its agent, read
     * through the cluster model's {@link Member}).
     *
     * @param noFailover a read replica (never promoted)
     * @param noLoadBalance takes no reads
     */
    public record MemberRecord(String name, String host, int port, boolean noFailover, boolean noLoadBalance) {
        /**
         * The proxy's view of an agent's member record; empty when it lacks a name, host or port, and for a spare
         * agent waiting for an assignment (role {@code spare}: no data, no server to route to).
         */
        public static Optional<MemberRecord> of(Member member) {
            if (member == null || !member.routable() || SPARE.equals(member.role())) {
                return Optional.empty();
            }
            return Optional.of(new MemberRecord(member.name(), member.host(), member.port(), member.noFailover(),
                    member.noLoadBalance()));
        }
    }

    /**
     * The nodes with {@code leader} leading, or empty when nothing changes (also when nobody leads:
     * the last primary stays until another member takes the key, so a failover does not leave the
     * proxy without one). Members whose record is gone (their agent is down) keep their place, as
     * standbys if they led, but take no reads while it is gone ({@link MemberReads}).
     *
     * @param leader who holds the leader key, if anyone
     * @param members the member records, by name
     * @param current the proxy's nodes now
     */
    public static Optional<List<Node>> follow(Optional<String> leader, Map<String, MemberRecord> members, List<Node> current) {
        if (leader.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Node> known = new HashMap<>();
        current.forEach(n -> known.put(n.name(), n));
        String primaryName = leader.get();
        MemberRecord primaryRecord = members.get(primaryName);
        Node oldPrimaryEntry = known.get(primaryName);
        if (primaryRecord == null && oldPrimaryEntry == null) {
            return Optional.empty();
        }
        List<Node> next = new ArrayList<>();
        next.add(primaryRecord != null
                ? new Node(primaryName, primaryRecord.host(), primaryRecord.port(), Role.PRIMARY, weight(primaryRecord, known))
                : new Node(primaryName, oldPrimaryEntry.host(), oldPrimaryEntry.port(), Role.PRIMARY, oldPrimaryEntry.weight()));
        Map<String, Node> others = new TreeMap<>();
        for (Node n : current) {
            if (!n.name().equals(primaryName)) {
                others.put(n.name(), n.role() == Role.PRIMARY ? new Node(n.name(), n.host(), n.port(), Role.STANDBY, n.weight()) : n);
            }
        }
        for (MemberRecord m : members.values()) {
            if (!m.name().equals(primaryName)) {
                others.put(m.name(), new Node(m.name(), m.host(), m.port(), m.noFailover() ? Role.REPLICA : Role.STANDBY,
                        weight(m, known)));
            }
        }
        next.addAll(others.values());
        return next.equals(current) ? Optional.empty() : Optional.of(List.copyOf(next));
    }

    private static int weight(MemberRecord m, Map<String, Node> known) {
        if (m.noLoadBalance()) {
            return 0;
        }
        Node before = known.get(m.name());
        return before == null || before.weight() == 0 ? 1 : before.weight();
    }

    /** {@code node1 (primary), node2 (standby), node3 (replica)}, for the log. */
    static String describe(List<Node> nodes) {
        StringBuilder out = new StringBuilder();
        for (Node n : nodes) {
            out.append(out.length() == 0 ? "" : ", ").append(n.name()).append(" (")
                    .append(io.pgherd.common.config.Key.label(n.role())).append(n.weight() == 0 && n.role() != Role.PRIMARY
                            ? ", no reads" : "").append(')');
        }
        return out.toString();
    }
}

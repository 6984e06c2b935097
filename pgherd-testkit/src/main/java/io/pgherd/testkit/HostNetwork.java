package io.pgherd.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The plan of a test network of hosts on this machine, and the {@code ip} commands that make, fault and remove it.
 * Pure: {@link NetworkHosts} runs the commands.
 *
 * <p>Each host is a network namespace {@value #PREFIX}h1 … hN with its own loopback and one interface {@code eth0}
 * holding {@code <subnet>.i/24}; its veth peer {@code pgh-hI} is a port of the bridge {@code pgh-br}, which lives in
 * a namespace of its own ({@value #PREFIX}net), so nothing of the test network touches the machine's own
 * interfaces but one: the observer link {@value #OBSERVER} in the root namespace, {@code <subnet>.254/24}, through
 * which the test's JVM reaches the hosts. Deleting the namespaces destroys every veth pair with them (the
 * observer's too), so {@link #removal} is short and works on what a killed run left. Every name starts with a fixed
 * prefix ({@value #PREFIX} for namespaces, {@value #LINK_PREFIX} for links) so leftovers are found by name.
 *
 * @param subnet the first three octets of the /24 the hosts live in, such as {@code 10.213.47}
 * @param hosts how many hosts
 */
public record HostNetwork(String subnet, int hosts) {
    /** The prefix of every namespace this kit makes. */
    public static final String PREFIX = "pgherd-";
    /** The prefix of every link this kit makes. */
    public static final String LINK_PREFIX = "pgh-";
    /** The namespace holding the bridge. */
    public static final String NET_NAMESPACE = PREFIX + "net";
    /** The bridge, in {@link #NET_NAMESPACE}. */
    public static final String BRIDGE = LINK_PREFIX + "br";
    /** The root namespace's end of the observer link. */
    public static final String OBSERVER = LINK_PREFIX + "obs";
    /** The last octet of the observer's address. */
    public static final int OBSERVER_OCTET = 254;
    /** The private /24 networks tried, in order; the first no interface of the machine overlaps is used. */
    public static final List<String> CANDIDATES = List.of("10.213.47", "10.213.48", "172.31.213", "192.168.213");

    public HostNetwork {
        if (hosts < 1 || hosts > 200) {
            throw new IllegalArgumentException("hosts must be 1..200 (got " + hosts + ")");
        }
    }

    /**
     * The first of {@link #CANDIDATES} that overlaps none of {@code used} (the machine's IPv4 networks as
     * {@code ip -4 addr} shows them, {@code address/prefix}).
     */
    public static Optional<String> freeSubnet(List<String> used) {
        return CANDIDATES.stream().filter(c -> used.stream().noneMatch(u -> overlaps(c + ".0/24", u))).findFirst();
    }

    /** Whether two IPv4 networks ({@code a.b.c.d/n}) share an address. */
    static boolean overlaps(String a, String b) {
        int bits = Math.min(prefix(a), prefix(b));
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (address(a) & mask) == (address(b) & mask);
    }

    private static int prefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? 32 : Integer.parseInt(cidr.substring(slash + 1));
    }

    private static long address(String cidr) {
        int slash = cidr.indexOf('/');
        String[] octets = (slash < 0 ? cidr : cidr.substring(0, slash)).split("\\.");
        long out = 0;
        for (String octet : octets) {
            out = out << 8 | Integer.parseInt(octet);
        }
        return out;
    }

    /** The name of host {@code i} (1-based): {@code h1} … */
    public static String hostName(int i) {
        return "h" + i;
    }

    /** The namespace of host {@code i}. */
    public static String namespace(int i) {
        return PREFIX + hostName(i);
    }

    /** The bridge port of host {@code i}, in {@link #NET_NAMESPACE}. */
    public static String bridgePort(int i) {
        return LINK_PREFIX + hostName(i);
    }

    /** The address of host {@code i}. */
    public String address(int i) {
        return subnet + "." + i;
    }

    /** The address the test's JVM (the root namespace) has on the network. */
    public String observerAddress() {
        return subnet + "." + OBSERVER_OCTET;
    }

    /** The hosts' network, {@code <subnet>.0/24}: what pg_hba rules name. */
    public String cidr() {
        return subnet + ".0/24";
    }

    /** The commands that make the network, in order. */
    public List<List<String>> creation() {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("ip", "netns", "add", NET_NAMESPACE));
        out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "add", BRIDGE, "type", "bridge"));
        out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "set", BRIDGE, "up"));
        for (int i = 1; i <= hosts; i++) {
            String ns = namespace(i);
            out.add(List.of("ip", "netns", "add", ns));
            out.add(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "add", bridgePort(i), "type", "veth", "peer", "name", "eth0",
                    "netns", ns));
            out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "set", bridgePort(i), "master", BRIDGE));
            out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "set", bridgePort(i), "up"));
            out.add(List.of("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0"));
            out.add(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
        }
        out.add(List.of("ip", "link", "add", OBSERVER, "type", "veth", "peer", "name", OBSERVER + "-br", "netns",
                NET_NAMESPACE));
        out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "set", OBSERVER + "-br", "master", BRIDGE));
        out.add(List.of("ip", "-n", NET_NAMESPACE, "link", "set", OBSERVER + "-br", "up"));
        out.add(List.of("ip", "addr", "add", observerAddress() + "/24", "dev", OBSERVER));
        out.add(List.of("ip", "link", "set", OBSERVER, "up"));
        return out;
    }

    /**
     * The commands that remove what this kit made, given the namespaces ({@code ip netns list}) and root links that
     * exist now: every namespace with {@link #PREFIX} (its veth pairs go with it), the observer link if still
     * there. Processes still inside a namespace must be killed first ({@code ip netns pids}).
     */
    public static List<List<String>> removal(List<String> namespaces, List<String> rootLinks) {
        List<List<String>> out = new ArrayList<>();
        // First: the kernel destroys a deleted namespace's links later, so the observer would linger a moment.
        if (rootLinks.contains(OBSERVER)) {
            out.add(List.of("ip", "link", "del", OBSERVER));
        }
        for (String ns : namespaces) {
            if (ns.startsWith(PREFIX)) {
                out.add(List.of("ip", "netns", "del", ns));
            }
        }
        return out;
    }

    /** Cuts host {@code i} off from every other host and the observer: its bridge port goes down. */
    public static List<String> isolation(int i) {
        return List.of("ip", "-n", NET_NAMESPACE, "link", "set", bridgePort(i), "down");
    }

    /** Joins host {@code i} to the network again. */
    public static List<String> healing(int i) {
        return List.of("ip", "-n", NET_NAMESPACE, "link", "set", bridgePort(i), "up");
    }

    /** {@code argv} run inside host {@code i}'s namespace. */
    public static List<String> inside(int i, List<String> argv) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
        out.addAll(argv);
        return out;
    }

    /** The hosts' numbers, 1 … {@link #hosts}. */
    public List<Integer> numbers() {
        return IntStream.rangeClosed(1, hosts).boxed().toList();
    }
}

package io.pgherd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.pgherd.postgres.ServerUser;

/**
 * Hosts for a test class: N network namespaces on a private /24 joined by a bridge ({@link HostNetwork}), each with
 * its own address and loopback, in which a test runs processes ({@code ip netns exec}) as it would on N machines.
 * Register it as a static field with {@code @RegisterExtension}: before the class it removes what an earlier run
 * that was killed left (every namespace and link with the kit's prefix, and the processes inside), then makes the
 * hosts; after the class — passed or failed — it stops every process still inside a host (SIGTERM, then SIGKILL
 * after {@value #STOP_SECONDS} s) and removes the namespaces and links; a JVM shutdown hook does the same on SIGTERM
 * or Ctrl-C. One fault: {@link #isolate} a host (its bridge port down) and {@link #heal} it.
 *
 * <p>Needs root and iproute2's {@code ip} (Debian's {@code iproute2}). One class at a time: a second run on the
 * machine would remove the first one's hosts (the names are fixed so that leftovers can be found).
 */
public final class NetworkHosts implements BeforeAllCallback, AfterAllCallback {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final long STOP_SECONDS = 15;

    private final int count;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private volatile HostNetwork network;
    private Thread shutdownHook;

    private NetworkHosts(int count) {
        this.count = count;
    }

    /** {@code count} hosts, h1 … hN. */
    public static NetworkHosts of(int count) {
        return new NetworkHosts(count);
    }

    /** One host: its name, address and how to run a command inside it. */
    public record Host(int number, String name, String address) {
        /** {@code argv} run inside this host ({@code ip netns exec}). */
        public List<String> command(List<String> argv) {
            return HostNetwork.inside(number, argv);
        }

        /** {@code argv} run inside this host as the PostgreSQL server user, as the kit runs servers ({@link ServerUser}). */
        public List<String> asServerUser(List<String> argv) {
            return command(ServerUser.detect().wrap(argv));
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        remove();
    }

    /** Removes leftovers of an earlier run and makes the hosts (what {@link #beforeAll} does). */
    public synchronized void create() {
        if (network != null) {
            return;
        }
        removeLeftovers();
        HostNetwork planned = new HostNetwork(HostNetwork.freeSubnet(usedNetworks()).orElseThrow(() ->
                new IllegalStateException("every candidate test subnet " + HostNetwork.CANDIDATES
                        + " overlaps an interface of this machine: " + usedNetworks())), count);
        network = planned;
        shutdownHook = new Thread(this::removeQuietly, "pgherd-network-hosts-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            for (List<String> command : planned.creation()) {
                run(command);
            }
        } catch (RuntimeException e) {
            removeQuietly();
            throw e;
        }
    }

    /** Stops what runs inside the hosts and removes them (what {@link #afterAll} does); idempotent. */
    public synchronized void remove() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running this.
            }
            shutdownHook = null;
        }
        for (Process p : started) {
            p.destroy();
        }
        removeLeftovers();
        started.clear();
        network = null;
    }

    private void removeQuietly() {
        try {
            remove();
        } catch (RuntimeException e) {
            System.err.println("pgherd test hosts: cleanup failed: " + e.getMessage());
        }
    }

    /** Host {@code i} (1-based). */
    public Host host(int i) {
        HostNetwork n = requireNetwork();
        if (i < 1 || i > n.hosts()) {
            throw new IllegalArgumentException("no host " + i + " (hosts 1.." + n.hosts() + ")");
        }
        return new Host(i, HostNetwork.hostName(i), n.address(i));
    }

    /** The hosts' network ({@code a.b.c.0/24}), for pg_hba rules and the like. */
    public String cidr() {
        return requireNetwork().cidr();
    }

    /** The address the test's own JVM has on the hosts' network (it reaches every host from there). */
    public String observerAddress() {
        return requireNetwork().observerAddress();
    }

    /**
     * Starts {@code argv} inside {@code host}, output (both streams) appended to {@code log}; the process is stopped at
     * the latest when the hosts are removed.
     */
    public Process start(Host host, List<String> argv, Path log) {
        try {
            Process p = new ProcessBuilder(host.command(argv)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + argv + " on " + host.name(), e);
        }
    }

    /** Runs {@code argv} inside {@code host} to its end (at most {@code timeout}). */
    public ExternalCommand.Outcome run(Host host, List<String> argv, Duration timeout) {
        return ExternalCommand.run(host.command(argv), Map.of(), timeout);
    }

    /** Cuts {@code host} off from every other host and the observer. */
    public void isolate(Host host) {
        run(HostNetwork.isolation(host.number()));
    }

    /** Joins {@code host} to the network again after {@link #isolate}. */
    public void heal(Host host) {
        run(HostNetwork.healing(host.number()));
    }

    /** The namespaces of this kit that exist now. */
    public static List<String> namespaces() {
        return ExternalCommand.run(List.of("ip", "netns", "list"), Map.of(), COMMAND_TIMEOUT).requireSuccess().stdout()
                .lines().map(l -> l.split("\\s+")[0]).filter(n -> n.startsWith(HostNetwork.PREFIX)).toList();
    }

    /** The links of this kit in the root namespace that exist now. */
    public static List<String> rootLinks() {
        return ExternalCommand.run(List.of("ip", "-o", "link", "show"), Map.of(), COMMAND_TIMEOUT).requireSuccess().stdout()
                .lines().map(l -> l.split(":\\s+")).filter(f -> f.length > 1).map(f -> f[1].split("@")[0])
                .filter(n -> n.startsWith(HostNetwork.LINK_PREFIX)).toList();
    }

    /** Stops every process inside a namespace of the kit, then removes the namespaces and links. */
    private static void removeLeftovers() {
        List<String> namespaces = namespaces();
        List<ProcessHandle> inside = new ArrayList<>();
        for (String ns : namespaces) {
            ExternalCommand.Outcome pids = ExternalCommand.run(List.of("ip", "netns", "pids", ns), Map.of(), COMMAND_TIMEOUT);
            pids.stdout().lines().map(String::strip).filter(l -> l.matches("\\d+"))
                    .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(inside::add));
        }
        inside.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        while (inside.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() - end < 0) {
            sleepBriefly();
        }
        inside.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        for (List<String> command : HostNetwork.removal(namespaces, rootLinks())) {
            run(command);
        }
        List<String> left = new ArrayList<>(namespaces());
        left.addAll(rootLinks());
        if (!left.isEmpty()) {
            throw new IllegalStateException("pgherd test hosts: could not remove " + left);
        }
    }

    /** The machine's IPv4 networks, {@code address/prefix}, from {@code ip -4 -o addr}. */
    private static List<String> usedNetworks() {
        return ExternalCommand.run(List.of("ip", "-4", "-o", "addr", "show"), Map.of(), COMMAND_TIMEOUT).requireSuccess()
                .stdout().lines().flatMap(l -> Arrays.stream(l.split("\\s+"))
                        .dropWhile(w -> !w.equals("inet")).skip(1).limit(1)).toList();
    }

    private HostNetwork requireNetwork() {
        HostNetwork n = network;
        if (n == null) {
            throw new IllegalStateException("the hosts are not made yet (register NetworkHosts with @RegisterExtension"
                    + " on a static field)");
        }
        return n;
    }

    private static void run(List<String> command) {
        ExternalCommand.Outcome outcome = ExternalCommand.run(command, Map.of(), COMMAND_TIMEOUT);
        if (outcome.exitCode() != 0) {
            throw new IllegalStateException("pgherd test hosts: " + String.join(" ", command) + " exited with "
                    + outcome.exitCode() + ": " + outcome.stderr().strip());
        }
    }

    private static void sleepBriefly() {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
}

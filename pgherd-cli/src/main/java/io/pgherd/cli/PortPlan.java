package io.pgherd.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import io.pgherd.postgres.Ports;

/**
 * The ports {@code pgherd up} is about to listen on, claimed before anything starts. A port the user
 * asked for (an option given on the command line) or one the cluster recorded is used as it is or
 * refused; a default moves to the next free port, past every port claimed or reserved. {@link #check}
 * then fails once, naming every refused port, what it was for and the process that holds it. Not
 * thread-safe: one command's plan.
 */
final class PortPlan {
    private final IntPredicate free;
    private final IntFunction<String> holder;
    private final Map<Integer, String> claimed = new HashMap<>();
    private final Set<Integer> reserved = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * @param free whether a server could listen on a port now
     * @param holder who holds a taken port, for messages ("pid 42 (python3 ...)")
     */
    PortPlan(IntPredicate free, IntFunction<String> holder) {
        this.free = free;
        this.holder = holder;
    }

    /** A plan against this machine's ports. */
    static PortPlan onThisMachine() {
        return new PortPlan(Ports::isFree, Ports::holder);
    }

    /** A plan on this machine in which every port the cluster recorded is in use by its part (new parts take others). */
    static PortPlan ofRecorded(LocalState state) {
        PortPlan plan = onThisMachine();
        for (LocalState.Node node : state.nodes()) {
            plan.recorded(node.port(), "PostgreSQL of " + node.name());
            if (node.apiPort() > 0) {
                plan.recorded(node.apiPort(), "the REST API of the agent of " + node.name());
            }
        }
        for (LocalState.Proxy proxy : state.proxies()) {
            plan.recorded(proxy.port(), "the clients of " + proxy.name());
            plan.recorded(proxy.metricsPort(), "the metrics of " + proxy.name());
        }
        if (state.zooKeeperPort() > 0) {
            plan.recorded(state.zooKeeperPort(), "the embedded ZooKeeper");
        }
        return plan;
    }

    /** Keeps {@code port} for an exact claim made later, so no default takes it first. */
    PortPlan reserve(int port) {
        reserved.add(port);
        return this;
    }

    /**
     * The port for {@code what}: exactly {@code port} when {@code exact} (a refusal is recorded when it is
     * taken, or claimed for something else), else the first free one from {@code port} on.
     *
     * @param option the option that asked for it ({@code --proxy-port}), or empty for a recorded port
     */
    int claim(int port, boolean exact, String option, String what) {
        if (!exact) {
            for (int p = port; p <= 65535; p++) {
                if (!claimed.containsKey(p) && !reserved.contains(p) && free.test(p)) {
                    claimed.put(p, what);
                    return p;
                }
            }
            problems.add("no free port at or above " + port + " for " + what);
            return port;
        }
        String asked = "port " + port + " (" + (option.isEmpty() ? "" : option + ", ") + what + ")";
        if (claimed.containsKey(port)) {
            problems.add(asked + " is also wanted for " + claimed.get(port));
        } else if (!free.test(port)) {
            problems.add(asked + " is in use by " + holder.apply(port));
        }
        claimed.putIfAbsent(port, what);
        return port;
    }

    /** Marks {@code port} as used by {@code what} without looking at it (a recorded port of a part that may run). */
    PortPlan recorded(int port, String what) {
        claimed.putIfAbsent(port, what);
        return this;
    }

    /** Exactly {@code port} for {@code what} (a recorded port: the cluster's configuration names it). */
    int require(int port, String what) {
        return claim(port, true, "", what);
    }

    /**
     * @throws CommandFailure naming every refused port, when any was
     */
    void check() {
        if (!problems.isEmpty()) {
            throw new CommandFailure("cannot start: " + String.join("; ", problems)
                    + "; stop that process or choose another port (nothing was started)");
        }
    }
}

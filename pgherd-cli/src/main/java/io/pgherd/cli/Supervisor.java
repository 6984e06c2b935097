package io.pgherd.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.DcsException;
import io.pgherd.postgres.PostgresException;

/**
 * Keeps a local cluster's processes running and tells what happens to it: every second it looks at
 * each child process (ZooKeeper, each node's agent, each read replica's agent the local provisioner
 * made while {@link ProvisionedSupervision} keeps it, each controller, each proxy that runs as its own
 * process) by its PID file, and starts one that exited again after the {@link RestartPolicy}'s wait (the decision is
 * {@link Supervision}'s); and every second it reads the cluster's DCS records and prints what the
 * agents did ({@link ClusterEvents}). One line per action on {@code out}, each {@code pgherd: ...}.
 *
 * <p>It runs inside a foreground {@code pgherd up} and as the background process of a detached
 * cluster ({@code pgherd supervise}). It starts a child only while holding the directory's lock, so it
 * never races another {@code pgherd up} starting the same one, and it re-reads the cluster's state
 * file every cycle (a proxy added by {@code up --proxies} is supervised from then on). Thread-safe:
 * two threads of its own, stopped by {@link #close}, which waits for a start in progress to finish.
 */
final class Supervisor implements AutoCloseable {
    static final Duration CYCLE = Duration.ofSeconds(1);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

    /**
     * One supervised process: its name in messages ("agent node3"), its PID file, how to start it, and
     * whether it is to be kept running now (a read replica the controller is removing is not).
     */
    private record Child(String name, Daemon daemon, Runnable start, BooleanSupplier kept) {
        Child(String name, Daemon daemon, Runnable start) {
            this(name, daemon, start, () -> true);
        }
    }

    /** What the children are made from: the state file, the controllers' files, the local provisioner's record. */
    private record Sources(LocalState state, List<String> controllers, List<LocalState.Node> provisioned) {
    }

    private final ClusterDirectory directory;
    private final PrintWriter out;
    private final boolean timestamps;
    private final Clock clock;
    private final RestartPolicy policy;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Map<String, Supervision> views = new HashMap<>();
    private final Map<String, Long> lastPids = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private Sources sources;
    private List<Child> children = List.of();
    /** The assignments as the cluster watch last read them; empty while the DCS does not answer. */
    private volatile Map<String, Assignment> assignments = Map.of();

    /**
     * @param out where each action is told
     * @param timestamps whether each line starts with the time (for a log file)
     */
    private Supervisor(ClusterDirectory directory, PrintWriter out, boolean timestamps, Clock clock, RestartPolicy policy) {
        this.directory = directory;
        this.out = out;
        this.timestamps = timestamps;
        this.clock = clock;
        this.policy = policy;
    }

    /** Starts supervising the cluster in {@code directory}. */
    static Supervisor start(ClusterDirectory directory, PrintWriter out, boolean timestamps) {
        Supervisor supervisor = new Supervisor(directory, out, timestamps, Clock.systemUTC(), RestartPolicy.DEFAULT);
        LocalState state = directory.read();
        supervisor.refresh(state);
        supervisor.thread("pgherd-supervisor", supervisor::superviseChildren);
        if (state.highlyAvailable()) {
            supervisor.thread("pgherd-cluster-watch", () -> supervisor.watchCluster(state));
        }
        return supervisor;
    }

    private void thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void superviseChildren() {
        String failure = "";
        do {
            try {
                refresh(directory.read());
                for (Child child : children) {
                    if (stopping.getCount() == 0) {
                        return;
                    }
                    if (child.kept().getAsBoolean()) {
                        supervise(child);
                    } else {
                        // Forgotten: supervised again (a rolled back removal), it starts from a fresh view.
                        views.remove(child.name());
                    }
                }
                failure = "";
            } catch (RuntimeException e) {
                // The loop outlives any failure (an unreadable state file, a PID file being replaced); said once.
                if (!firstLine(e).equals(failure)) {
                    failure = firstLine(e);
                    say("could not supervise the cluster this cycle (" + failure + "); trying again every second");
                }
            }
        } while (!pause(CYCLE));
    }

    private void supervise(Child child) {
        OptionalLong pid = child.daemon().pid();
        boolean running = pid.isPresent();
        Instant now = clock.instant();
        Supervision view = views.computeIfAbsent(child.name(), n -> Supervision.first(running, now));
        Supervision.Step step = view.observe(running, now, policy);
        Supervision next = step.next();
        switch (step.action()) {
            case EXITED -> say(child.name() + " exited" + Optional.ofNullable(lastPids.get(child.name()))
                    .map(p -> " (pid " + p + ")").orElse("") + "; " + nextAttempt(view.restarts(), step.delay()));
            case ADOPTED -> say(child.name() + " runs again (pid " + pid.getAsLong() + "), started by another command");
            case START -> next = restart(child, view);
            case NONE, STABLE -> {
            }
        }
        views.put(child.name(), next);
        pid.ifPresent(p -> lastPids.put(child.name(), p));
    }

    /** Starts {@code child} under the directory's lock; the view after it (unchanged when another command holds the lock). */
    private Supervision restart(Child child, Supervision view) {
        ClusterDirectory.Lock lock;
        try {
            lock = directory.lock();
        } catch (PostgresException busy) {
            // Another pgherd command works on the cluster (an 'up' may be starting this very process): next cycle.
            return view;
        }
        try (lock) {
            if (child.daemon().isRunning()) {
                return view.observe(true, clock.instant(), policy).next();
            }
            if (!child.kept().getAsBoolean()) {
                // Stopped on purpose meanwhile (the controller removes this read replica): not started again.
                return view;
            }
            child.start().run();
            long pid = child.daemon().pid().orElse(0);
            say("restarted " + child.name() + " (pid " + pid + ")");
            lastPids.put(child.name(), pid);
            return view.started(clock.instant());
        } catch (RuntimeException e) {
            Supervision.Step failed = view.failed(clock.instant(), policy);
            say("could not restart " + child.name() + ": " + firstLine(e) + "; "
                    + nextAttempt(failed.next().restarts(), failed.delay()));
            return failed.next();
        }
    }

    private String nextAttempt(int restarts, Duration delay) {
        return "restarting it in " + delay.toSeconds() + " s" + (policy.atMax(restarts)
                ? " (it keeps exiting: trying every " + policy.max().toSeconds() + " s until it stays up; see its log)" : "");
    }

    /** The children of {@code current}, rebuilt when the state file changed. */
    private synchronized void refresh(LocalState current) {
        LocalControllers controllers = new LocalControllers(directory, current);
        Sources now = new Sources(current, current.highlyAvailable() ? controllers.names() : List.of(),
                current.highlyAvailable() ? LocalProvisioner.recorded(directory) : List.of());
        if (now.equals(sources)) {
            return;
        }
        sources = now;
        List<Child> next = new ArrayList<>();
        if (current.highlyAvailable()) {
            LocalAgents agents = new LocalAgents(directory, current, directory.cluster(current, Optional.empty()));
            agents.zooKeeper().ifPresent(zk -> next.add(new Child("ZooKeeper", zk, agents::startZooKeeper)));
            for (LocalState.Node node : current.nodes()) {
                next.add(new Child("agent " + node.name(), agents.agent(node), () -> agents.startAgent(node)));
            }
            for (LocalState.Node node : now.provisioned()) {
                Daemon agent = agents.agent(node);
                next.add(new Child("agent " + node.name(), agent, () -> agents.startAgent(node),
                        () -> !ProvisionedSupervision.supervised(List.of(node.name()), n -> Files.exists(agent.pidFile()),
                                assignments).isEmpty()));
            }
            for (String name : now.controllers()) {
                next.add(new Child("controller " + name, controllers.daemon(name), () -> controllers.start(name)));
            }
        }
        for (LocalProxy proxy : LocalProxy.all(directory, current)) {
            next.add(new Child("proxy " + proxy.recorded().name(), proxy.daemon(), () -> proxy.startDetached(START_TIMEOUT)));
        }
        children = List.copyOf(next);
    }

    /** Reads the DCS every cycle and tells what changed; says once when it stops answering, and when it answers again. */
    private void watchCluster(LocalState cluster) {
        Dcs dcs = null;
        ClusterSnapshot last = null;
        boolean answering = true;
        try {
            do {
                try {
                    if (dcs == null) {
                        dcs = Dcs.connect(DcsAddress.parse(cluster.dcs()), Duration.ofSeconds(2));
                    }
                    ClusterSnapshot now = new ClusterStore(dcs, cluster.cluster()).read();
                    assignments = now.assignments();
                    if (!answering) {
                        say("the DCS answers again: the agents' decisions are shown again");
                        answering = true;
                    }
                    if (last != null) {
                        ClusterEvents.between(last, now).forEach(this::say);
                    }
                    last = now;
                } catch (DcsException e) {
                    assignments = Map.of();
                    if (answering) {
                        say("the DCS does not answer (" + firstLine(e) + "); the agents' decisions are not shown until it does");
                        answering = false;
                    }
                    dcs = close(dcs);
                } catch (RuntimeException e) {
                    assignments = Map.of();
                    if (answering) {
                        say("could not read the cluster from the DCS (" + firstLine(e) + "); the agents' decisions are"
                                + " not shown until it can");
                        answering = false;
                    }
                    dcs = close(dcs);
                }
            } while (!pause(CYCLE));
        } finally {
            close(dcs);
        }
    }

    private static Dcs close(Dcs dcs) {
        if (dcs != null) {
            try {
                dcs.close();
            } catch (RuntimeException e) {
                // Closing a client of a store that does not answer: nothing more to do about it.
            }
        }
        return null;
    }

    /** Waits one cycle; true when the supervisor is stopping. */
    private boolean pause(Duration cycle) {
        try {
            return stopping.await(cycle.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Prints {@code pgherd: line} (after the time, for a log file). */
    void say(String line) {
        synchronized (out) {
            out.println((timestamps ? TIME.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)) + " " : "") + "pgherd: "
                    + line);
            out.flush();
        }
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? "no detail" : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** Stops supervising: no child is started after this returns (one being started is waited for, up to its timeout). */
    @Override
    public void close() {
        stopping.countDown();
        for (Thread thread : threads) {
            try {
                thread.join(START_TIMEOUT.plusSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package io.pgherd.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.controller.requests.RequestRefused;
import io.pgherd.controller.requests.SwitchoverRequest;
import io.pgherd.dcs.DcsException;
import picocli.CommandLine.Option;

/**
 * What {@code switchover} and {@code failover} share: check the request against the cluster, ask
 * for confirmation on a terminal (never wait for an answer without one: refuse unless
 * {@code --force}), write it to the {@code failover} key, then wait for the new leader.
 */
abstract class HandoverCommand extends HaCommand {
    /** Without a change reported by the DCS watch, the cluster is read again after this anyway. */
    private static final long RECHECK_MILLIS = 1000;

    @Option(names = "--candidate", defaultValue = "", paramLabel = "NAME",
            description = "The standby that should lead (default: the best candidate, as the agents rank them).")
    String candidate;

    @Option(names = "--force", description = "Do not ask for confirmation (required when there is no terminal).")
    boolean force;

    @Option(names = "--wait", defaultValue = "60", paramLabel = "S",
            description = "Seconds to wait for the new leader (default: ${DEFAULT-VALUE}; 0: write the request and return).")
    int waitSeconds;

    /** Checks the request against {@code cluster}; throws {@link RequestRefused} when it does not allow it. */
    abstract SwitchoverRequest check(ClusterState cluster);

    /** {@link #check}, its refusal as the one line the command fails with. */
    private SwitchoverRequest checked(ClusterState cluster) {
        try {
            return check(cluster);
        } catch (RequestRefused e) {
            throw new CommandFailure(e.getMessage(), e);
        }
    }

    final int handOver(ClusterStore store, PrintWriter out) {
        checkWait(waitSeconds);
        ClusterState before = ClusterState.of(store.read());
        SwitchoverRequest request = checked(before);
        if (!force) {
            confirm(request, before);
            // The user may have taken a while to answer: check again against the cluster as it is now.
            request = checked(ClusterState.of(store.read()));
        }
        String kind = request.kind().label();
        try {
            store.requestSwitchover(request.from(), request.to(), request.notBeforeMillis());
        } catch (DcsException e) {
            throw new CommandFailure("the DCS did not answer, so the " + kind + " may or may not have been requested"
                    + " ('pgherd list' shows it if it was): " + e.getMessage(), e);
        }
        if (request.notBeforeMillis() > 0) {
            out.println(kind + " requested; scheduled for " + Instant.ofEpochMilli(request.notBeforeMillis()) + " ("
                    + request.summary() + "); 'pgherd list' shows it pending until then");
            return 0;
        }
        if (waitSeconds == 0) {
            out.println(request.summary() + " requested; not waiting (--wait 0): 'pgherd list' shows who leads");
            return 0;
        }
        out.println(request.summary() + " requested; waiting up to " + waitSeconds + " s for "
                + (request.to().isEmpty() ? "a new leader" : request.to() + " to lead"));
        out.flush();
        return await(store, request, out);
    }

    private int await(ClusterStore store, SwitchoverRequest request, PrintWriter out) {
        String kind = request.kind().label();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(waitSeconds);
        try (ClusterChanges changes = new ClusterChanges(store)) {
            return await(store, request, out, changes, kind, start, deadline);
        }
    }

    private int await(ClusterStore store, SwitchoverRequest request, PrintWriter out, ClusterChanges changes, String kind,
                      long start, long deadline) {
        ClusterState last = null;
        DcsException lastError = null;
        while (true) {
            try {
                last = ClusterState.of(store.read());
                lastError = null;
                SwitchoverRequest.Progress progress = request.progress(last);
                String leader = last.leader().map(ClusterState.Leader::member).orElse("");
                switch (progress) {
                    case DONE -> {
                        out.printf(Locale.ROOT, "%s done: %s leads now (%.1f s after the request)%n", kind, leader,
                                (System.nanoTime() - start) / 1e9);
                        return 0;
                    }
                    case OTHER_LEADER -> throw new CommandFailure(kind + " ended with " + leader + " leading, not "
                            + request.to() + " (another request or an automatic failover came first)");
                    case CANCELLED -> throw new CommandFailure("the " + kind + " request was withdrawn before it happened; "
                            + leader + " still leads");
                    case PENDING -> {
                    }
                }
            } catch (DcsException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new CommandFailure(timedOut(request, last, lastError));
            }
            changes.await(Math.min(RECHECK_MILLIS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
                    "the " + kind + "; the request stays pending ('pgherd list' shows it, 'pgherd switchover --cancel'"
                            + " withdraws it)");
        }
    }

    private String timedOut(SwitchoverRequest request, ClusterState last, DcsException lastError) {
        String now;
        if (lastError != null) {
            now = "the DCS did not answer the last read (" + lastError.getMessage() + ")";
        } else {
            Optional<String> leader = last == null ? Optional.empty() : last.leader().map(ClusterState.Leader::member);
            now = leader.map(l -> l + " still leads").orElse("no member leads yet");
        }
        return request.summary() + " not done within " + waitSeconds + " s: " + now + "; the request stays pending"
                + " ('pgherd list' shows it, 'pgherd switchover --cancel' withdraws it)";
    }

    /** Asks on the terminal; without one, refuses: a script must say --force rather than hang on a prompt. */
    private static void confirm(SwitchoverRequest request, ClusterState cluster) {
        Confirmation.require(request.summary(), request.question(cluster), request.kind().label(), "nothing was written");
    }
}

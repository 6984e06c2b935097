package io.pgherd.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.controller.requests.SwitchoverRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd switchover}: a planned move of the leader key to a standby, now or at a set time; or its cancellation. */
@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = {"Hand the leader role to a running standby (the best one, or --candidate): the leader's agent"
                + " checkpoints, shuts PostgreSQL down cleanly and releases the key, the candidate promotes, the old"
                + " leader follows it. Asks for confirmation unless --force (required without a terminal); then waits"
                + " up to --wait seconds for the candidate to lead.",
                "--cancel withdraws a pending switchover or failover."})
final class SwitchoverCommand extends HandoverCommand {
    @Option(names = "--leader", defaultValue = "", paramLabel = "NAME",
            description = "The current leader; refused if another member leads (default: whoever leads).")
    String leader;

    @Option(names = "--scheduled", paramLabel = "TIME", converter = ScheduledConverter.class,
            description = "Not before this ISO-8601 time with an offset, such as 2030-01-02T03:04:05+02:00 (default: now).")
    Instant scheduled;

    @Option(names = "--cancel", description = "Withdraw the pending switchover or failover instead.")
    boolean cancel;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        if (cancel) {
            if (!leader.isEmpty() || !candidate.isEmpty() || scheduled != null) {
                throw badOption("--cancel takes none of --leader, --candidate, --scheduled");
            }
            return cancel(store, out);
        }
        if (scheduled != null && !scheduled.isAfter(Instant.now())) {
            throw badOption("--scheduled must be in the future (got " + scheduled + ", now " + Instant.now() + ")");
        }
        return handOver(store, out);
    }

    @Override
    SwitchoverRequest check(ClusterState cluster) {
        return SwitchoverRequest.switchover(cluster, leader.strip(), candidate.strip(),
                scheduled == null ? 0 : scheduled.toEpochMilli());
    }

    private static int cancel(ClusterStore store, PrintWriter out) {
        Optional<ClusterState.Switchover> pending = ClusterState.of(store.read()).switchover();
        if (pending.isEmpty()) {
            out.println("no switchover or failover is pending; nothing to cancel");
            return 0;
        }
        store.clearSwitchover();
        out.println("cancelled the pending " + (pending.get().from().isEmpty() ? "failover" : "switchover") + " ("
                + pending.get().describe() + ")");
        return 0;
    }

    static final class ScheduledConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return SwitchoverRequest.parseScheduled(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}

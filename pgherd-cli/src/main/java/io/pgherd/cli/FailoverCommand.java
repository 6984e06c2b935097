package io.pgherd.cli;

import java.io.PrintWriter;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.controller.requests.SwitchoverRequest;
import picocli.CommandLine.Command;

/** {@code pgherd failover}: moves the leader key to a standby whether or not anyone leads. */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Make a running standby (--candidate, or the best one while someone leads) the leader, whether or"
                + " not the cluster has a leader. Asks for confirmation unless --force (required without a terminal);"
                + " then waits up to --wait seconds for the new leader.")
final class FailoverCommand extends HandoverCommand {
    @Override
    int run(ClusterStore store, PrintWriter out) {
        return handOver(store, out);
    }

    @Override
    SwitchoverRequest check(ClusterState cluster) {
        return SwitchoverRequest.failover(cluster, candidate.strip());
    }
}

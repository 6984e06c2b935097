package io.pgherd.cli;

import java.io.PrintWriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd list}: the members of an HA cluster as its DCS shows them, like {@code patronictl list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Show each member of the cluster as the DCS shows it: host:port, role (leader, standby: a failover"
                + " candidate, replica: never promoted), state, timeline and lag in bytes behind the leader's last"
                + " published WAL position; then a pending switchover and maintenance mode, if any.",
                "--json prints the same facts as one JSON object."})
final class ListCommand extends HaCommand {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        ClusterState state = ClusterState.of(store.read());
        if (json) {
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(ClusterTable.json(cluster, state)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("could not write the cluster as JSON", e);
            }
        } else {
            out.print(ClusterTable.text(cluster, state));
        }
        return 0;
    }
}

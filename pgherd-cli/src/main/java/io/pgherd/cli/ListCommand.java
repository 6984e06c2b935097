package io.pgherd.cli;

import java.io.PrintWriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.agent.ha.ClusterState;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.ClusterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd list}: the members of an HA cluster as its DCS shows them, like {@code patronictl list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Show each member of the cluster as the DCS shows it: host:port, role (leader, standby: a failover"
                + " candidate, replica: never promoted, spare: a spare agent waiting for an assignment), state (and"
                + " draining, or not ready: a new replica the controller has not yet seen stream within the lag limit,"
                + " which takes no reads; one still without a member record has a row too), timeline and lag in bytes"
                + " behind the leader's last"
                + " published WAL position; then a pending switchover and maintenance mode, if any, and the read replicas"
                + " running against those desired (pgherd scale), the spares and the members draining.",
                "--json prints the same facts as one JSON object."})
final class ListCommand extends HaCommand {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        ClusterSnapshot snapshot = store.read();
        ClusterState state = ClusterState.of(snapshot);
        ReadReplicas replicas = ReadReplicas.of(snapshot);
        if (json) {
            try {
                ObjectNode root = ClusterTable.json(cluster, state, snapshot.assignments());
                root.set("read_replicas", readReplicasJson(replicas));
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("could not write the cluster as JSON", e);
            }
        } else {
            out.print(ClusterTable.text(cluster, state, snapshot.assignments()));
            replicas.line().ifPresent(out::println);
        }
        return 0;
    }

    /** {@code desired} (null when no spec is set), {@code running}, {@code spares} and {@code draining}. */
    static ObjectNode readReplicasJson(ReadReplicas replicas) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        if (replicas.desired().isPresent()) {
            out.put("desired", replicas.desired().get());
        } else {
            out.putNull("desired");
        }
        replicas.running().forEach(out.putArray("running")::add);
        replicas.spares().forEach(out.putArray("spares")::add);
        replicas.draining().forEach(out.putArray("draining")::add);
        return out;
    }
}

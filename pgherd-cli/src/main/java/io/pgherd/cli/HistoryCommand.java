package io.pgherd.cli;

import java.io.PrintWriter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.pgherd.cluster.ClusterJson;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.History;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd history}: the promotions recorded in the DCS, with their measured timelines. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Show every promotion the agents recorded in the DCS, oldest first: time, timeline, previous"
                + " leader -> leader, reason, how long after the old leader's key went writes were accepted again, and"
                + " the measured timeline (last seen, key gone, elected, promoted, first write) in ms from its first moment.",
                "--json prints the records as stored."})
final class HistoryCommand extends HaCommand {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        History history = store.history();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            try {
                out.println(mapper.writeValueAsString(ClusterJson.tree(history)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("could not write the history as JSON", e);
            }
        } else {
            out.print(HistoryTable.text(cluster, history.entries()));
        }
        return 0;
    }
}

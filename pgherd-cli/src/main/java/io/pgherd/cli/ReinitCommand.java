package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.TreeSet;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgherd reinit MEMBER}: has a member's agent replace its data directory with a fresh clone
 * of the leader ({@code POST /reinitialize}), for a standby that cannot follow any more. Never the
 * leader. The agent answers once the clone started; {@code pgherd list} shows the member streaming
 * again when it is done.
 */
@Command(name = "reinit", mixinStandardHelpOptions = true,
        description = {"Reinitialize a standby or replica: its agent stops PostgreSQL, deletes the data directory and"
                + " clones it again from the leader, then starts it. Refused for the leader. Returns once the clone"
                + " started; 'pgherd list' shows the member streaming again when it is done.",
                "Asks for confirmation unless --force (required when there is no terminal)."})
final class ReinitCommand extends HaCommand {
    @Parameters(index = "0", paramLabel = "MEMBER", description = "The member to reinitialize.")
    String name;

    @Option(names = "--force", description = "Do not ask for confirmation (required when there is no terminal).")
    boolean force;

    @Mixin
    MemberApi.Options api;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        ClusterState state = ClusterState.of(store.read());
        Member member = state.members().get(name);
        if (member == null) {
            throw new CommandFailure(name + " is not a member of cluster " + cluster + " (members: "
                    + String.join(", ", new TreeSet<>(state.members().keySet())) + "); nothing was done");
        }
        if (state.ledBy(name)) {
            throw new CommandFailure(name + " holds the leader key and cannot be reinitialized; switch over first"
                    + " ('pgherd switchover'); nothing was done");
        }
        String leader = state.leader().map(ClusterState.Leader::member).orElseThrow(() -> new CommandFailure(
                "cluster " + cluster + " has no leader to clone " + name + " from; nothing was done"));
        MemberApi client = api.client(dir);
        if (!force) {
            Confirmation.require("reinitialize of " + name, "Are you sure you want to reinitialize " + name
                    + "? Its data directory is deleted and cloned again from the leader " + leader + ".", "reinit",
                    "nothing was done");
        }
        MemberApi.Reply reply = client.post(member, "/reinitialize", null);
        if (!reply.ok()) {
            throw new CommandFailure("reinitialize of " + name + " refused" + (reply.status() > 0 ? " (HTTP " + reply.status()
                    + ")" : "") + ": " + reply.message());
        }
        out.println(name + ": " + reply.message() + "; 'pgherd list' shows it streaming again when it is done");
        return 0;
    }
}

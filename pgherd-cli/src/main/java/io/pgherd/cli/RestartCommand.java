package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import io.pgherd.agent.ha.ClusterState;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.Member;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgherd restart [MEMBER...]}: restarts the PostgreSQL of members through their agents'
 * REST APIs ({@code POST /restart}), one after the other, standbys and replicas before the leader
 * (the order that is safe when raising parameters such as {@code max_connections}, which standbys
 * must have at least as high as the primary). Each agent answers when its PostgreSQL is back; the
 * leader keeps its key meanwhile.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Restart the PostgreSQL of the named members (default: every member) through their agents' REST"
                + " APIs, standbys before the leader, each when the previous one is back. --pending restarts only members"
                + " with a pending restart ('pgherd list' marks them) and only if it is still pending.",
                "Asks for confirmation unless --force (required when there is no terminal)."})
final class RestartCommand extends HaCommand {
    @Parameters(arity = "0..*", paramLabel = "MEMBER", description = "Members to restart (default: all).")
    List<String> names = new ArrayList<>();

    @Option(names = "--pending", description = "Only members whose PostgreSQL has a pending restart.")
    boolean pending;

    @Option(names = "--force", description = "Do not ask for confirmation (required when there is no terminal).")
    boolean force;

    @Mixin
    MemberApi.Options api;

    @Override
    int run(ClusterStore store, PrintWriter out) {
        ClusterState state = ClusterState.of(store.read());
        List<Member> targets = select(state);
        if (pending) {
            targets = targets.stream().filter(Member::pendingRestart).toList();
            if (targets.isEmpty()) {
                out.println("no " + (names.isEmpty() ? "member" : "named member") + " has a pending restart; nothing to do");
                return 0;
            }
        }
        MemberApi client = api.client(dir);
        String list = String.join(", ", targets.stream().map(Member::name).toList());
        if (!force) {
            Confirmation.require("restart of " + list, "Are you sure you want to restart " + list + "?", "restart",
                    "nothing was done");
        }
        int failed = 0;
        for (Member m : targets) {
            MemberApi.Reply reply = client.post(m, "/restart", pending ? "{\"restart_pending\": true}" : null);
            if (reply.ok()) {
                out.println(m.name() + ": " + reply.message());
            } else {
                failed++;
                out.println(m.name() + ": restart failed" + (reply.status() > 0 ? " (HTTP " + reply.status() + ")" : "") + ": "
                        + reply.message());
            }
            out.flush();
        }
        if (failed > 0) {
            throw new CommandFailure(failed + " of " + targets.size() + " restarts failed (see above)");
        }
        return 0;
    }

    /** The named members (all when none is named), the leader last; refuses unknown names. */
    private List<Member> select(ClusterState state) {
        List<Member> out = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        if (names.isEmpty()) {
            out.addAll(state.members().values());
        } else {
            for (String name : new TreeSet<>(names)) {
                Member m = state.members().get(name);
                if (m == null) {
                    unknown.add(name);
                } else {
                    out.add(m);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new CommandFailure(String.join(", ", unknown) + (unknown.size() == 1 ? " is not a member" : " are not members")
                    + " of cluster " + cluster + " (members: " + String.join(", ", new TreeSet<>(state.members().keySet()))
                    + "); nothing was done");
        }
        if (out.isEmpty()) {
            throw new CommandFailure("no member has published a record in cluster " + cluster + "; nothing to restart");
        }
        out.sort(Comparator.comparing((Member m) -> state.ledBy(m.name())).thenComparing(Member::name));
        return out;
    }
}

package io.pgherd.agent.ha;

import io.pgherd.cluster.Member;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Synchronous mode on the leader (Patroni's {@code synchronous_mode}, non-strict): which standby is
 * synchronous, and in which order {@code synchronous_standby_names} and the {@code sync} key change so
 * that the key never names a standby that may lack a commit the leader acknowledged. Pure: the agent
 * reads the DCS and the leader's {@code pg_stat_replication}, asks {@link #plan}, and carries the plan
 * out; {@link HaRules} then lets only the standby the key names take the leader key.
 *
 * <h2>Why the order keeps acknowledged commits safe</h2>
 * The invariant: whenever the {@code sync} key names standby S for leader L, S has flushed every commit
 * L acknowledged, and L acknowledges a commit only after S flushed it. A change keeps it in three steps:
 * <ol>
 *   <li><b>The key names nobody first</b> ({@code {"leader": L, "standby": ""}}), before PostgreSQL is
 *       touched. From then until step 3 no standby takes the key automatically, so it does not matter
 *       which standby the next commits wait for, or that with no candidate they wait for none.</li>
 *   <li><b>Then PostgreSQL</b>: {@code synchronous_standby_names} is set to the one chosen name and the
 *       configuration reloaded. Every commit from now on waits for the new standby's flush (or, with
 *       no name, for nobody: Patroni's non-strict mode keeps taking writes, and the key keeps naming
 *       nobody).</li>
 *   <li><b>The key names the new standby last</b>, only once the leader's {@code pg_stat_replication}
 *       shows it {@code sync}, every other WAL sender with priority 0 (each process applies a reload on
 *       its own; an old synchronous standby whose sender has not yet done so could still release
 *       commits), and the standby has flushed the leader's WAL position read after that
 *       ({@link #confirmed}). Commits acknowledged before that position are in its flushed WAL; later
 *       ones were released by its own flush.</li>
 * </ol>
 * The reverse order (key first) would let the named standby be promoted while commits acknowledged by
 * the previous synchronous standby are missing from it. A new leader writes the empty key before it
 * promotes: its commits are not waited for until it has chosen a standby.
 *
 * <p>Known limit (as in PostgreSQL itself): whether a commit waits at all is switched by the
 * checkpointer when it applies the reload, which no SQL can observe; when the leader goes from no
 * synchronous standby to one, commits in the moment before the checkpointer reloads may still be
 * acknowledged without waiting.
 */
public final class SynchronousStandby {
    private SynchronousStandby() {
    }

    /**
     * One WAL sender in the leader's {@code pg_stat_replication}.
     *
     * @param name its {@code application_name} (the member's name, from its {@code primary_conninfo})
     * @param state {@code streaming}, {@code catchup}, {@code backup}, ...
     * @param syncState {@code sync}, {@code potential}, {@code async}, ...
     * @param syncPriority the priority the sender last computed from {@code synchronous_standby_names} (0: none)
     * @param flushed the WAL position the standby reported flushed (0: none yet)
     */
    public record Sender(String name, String state, String syncState, int syncPriority, long flushed) {
        boolean streaming() {
            return state.equals("streaming");
        }
    }

    /**
     * What the leader does this cycle, in this order.
     *
     * @param standby the standby to be synchronous, or empty for none
     * @param names the {@code synchronous_standby_names} that goes with it (empty for none)
     * @param emptyKeyFirst write {@code {"leader": me, "standby": ""}} before anything else
     * @param setNames change {@code synchronous_standby_names} to {@code names} and reload
     * @param confirm wait until {@link #confirmed} (bounded), then write {@code {"leader": me, "standby": standby}}
     * @param sentence what it does and why, for the log
     */
    public record Plan(String standby, String names, boolean emptyKeyFirst, boolean setNames, boolean confirm,
                       String sentence) {
        /** Nothing to change. */
        public boolean steady() {
            return !emptyKeyFirst && !setNames && !confirm;
        }
    }

    /**
     * The synchronous standby leader {@code leader} should have: the one the key names while it is a
     * healthy failover candidate streaming from this leader; else the one {@code synchronous_standby_names}
     * already names (a change an earlier cycle began) on the same terms; else the streaming candidate that
     * flushed most, then the higher failover priority, then the lower name. Never a read replica
     * (nofailover), a member without a record, or one that does not stream.
     *
     * @param names the leader's current {@code synchronous_standby_names}
     */
    public static Optional<String> choose(String leader, Optional<ClusterState.Sync> key, String names,
                                          Map<String, Member> members, List<Sender> senders) {
        List<Sender> candidates = senders.stream().filter(s -> s.streaming() && !s.name().equals(leader)
                && eligible(members.get(s.name()))).toList();
        Optional<String> current = key.filter(k -> k.leader().equals(leader)).map(ClusterState.Sync::standby)
                .filter(s -> !s.isEmpty());
        for (Optional<String> keep : List.of(current, named(names))) {
            if (keep.isPresent() && candidates.stream().anyMatch(s -> s.name().equals(keep.get()))) {
                return keep;
            }
        }
        Comparator<Sender> best = Comparator.comparingLong(Sender::flushed).reversed()
                .thenComparing(s -> members.get(s.name()).failoverPriority(), Comparator.reverseOrder())
                .thenComparing(Sender::name);
        return candidates.stream().min(best).map(Sender::name);
    }

    /** What leader {@code leader} does this cycle in synchronous mode (see the class comment for the order). */
    public static Plan plan(String leader, Optional<ClusterState.Sync> key, String names, Map<String, Member> members,
                            List<Sender> senders) {
        Optional<String> chosen = choose(leader, key, names, members, senders);
        String standby = chosen.orElse("");
        String wanted = chosen.map(SynchronousStandby::names).orElse("");
        boolean keyNamesChosen = key.equals(Optional.of(new ClusterState.Sync(leader, standby)));
        boolean setNames = !names.equals(wanted);
        if (keyNamesChosen && !setNames) {
            return new Plan(standby, wanted, false, false, false, chosen.isPresent() ? "synchronous standby " + standby
                    : "synchronous mode without a synchronous standby (none streams): commits are acknowledged without"
                    + " one, and no standby takes the key automatically");
        }
        boolean emptyKeyFirst = !key.equals(Optional.of(new ClusterState.Sync(leader, "")));
        Optional<String> previous = key.filter(k -> k.leader().equals(leader)).map(ClusterState.Sync::standby)
                .filter(s -> !s.isEmpty() && !s.equals(standby));
        String sentence;
        if (chosen.isPresent()) {
            sentence = "making " + standby + " the synchronous standby"
                    + previous.map(p -> " instead of " + p + " (no longer a streaming candidate)").orElse("")
                    + "; the sync key names it once it has every acknowledged commit";
        } else {
            sentence = "no failover candidate streams: synchronous_standby_names cleared so writes go on"
                    + previous.map(p -> " (" + p + " was synchronous)").orElse("")
                    + ", and the sync key names no standby, so none takes the key automatically";
        }
        return new Plan(standby, wanted, emptyKeyFirst, setNames, chosen.isPresent(), sentence);
    }

    /**
     * Whether {@code standby} is the only synchronous WAL sender: it streams with {@code sync_state = 'sync'}
     * and every other sender computed priority 0 (applied the reload, so it can no longer release commits).
     */
    public static boolean confirmed(String standby, List<Sender> senders) {
        boolean sync = false;
        for (Sender s : senders) {
            if (s.name().equals(standby)) {
                sync |= s.streaming() && s.syncState().equals("sync");
            } else if (s.syncPriority() != 0) {
                return false;
            }
        }
        return sync;
    }

    /** {@code synchronous_standby_names} for one standby: its name as a quoted identifier. */
    public static String names(String standby) {
        return "\"" + standby.replace("\"", "\"\"") + "\"";
    }

    /** The standby that {@code names} names, when it is one quoted identifier as {@link #names} writes it. */
    static Optional<String> named(String names) {
        if (names.length() < 2 || !names.startsWith("\"") || !names.endsWith("\"")) {
            return Optional.empty();
        }
        String inner = names.substring(1, names.length() - 1);
        return inner.replace("\"\"", "").contains("\"") ? Optional.empty() : Optional.of(inner.replace("\"\"", "\""));
    }

    private static boolean eligible(Member m) {
        return m != null && HaRules.healthyCandidate(m) && m.inRecovery() && !m.role().equals("replica");
    }
}

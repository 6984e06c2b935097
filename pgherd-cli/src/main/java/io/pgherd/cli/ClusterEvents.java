package io.pgherd.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.HistoryEntry;
import io.pgherd.cluster.Leader;
import io.pgherd.cluster.Member;

/**
 * What the agents decided between two reads of the cluster's DCS records, as sentences for a
 * foreground {@code pgherd up} and the supervisor's log: promotions (from the {@code history} the
 * promoted agent appends, with its reason and timeline), the leader key lost or taken, members
 * that joined or left, PostgreSQL stopped or started, a standby following another leader, a restart
 * becoming pending, maintenance mode. The DCS records are the truth the agents act on, so nothing
 * depends on the wording of their logs. Pure; thread-safe.
 */
final class ClusterEvents {
    private static final Set<String> UP = Set.of("running", "streaming");

    private ClusterEvents() {
    }

    /** The sentences for the changes from {@code before} to {@code after}, in a stable order; empty when nothing changed. */
    static List<String> between(ClusterSnapshot before, ClusterSnapshot after) {
        List<String> out = new ArrayList<>();
        List<HistoryEntry> promotions = after.history().entries();
        List<HistoryEntry> added = promotions.size() > before.history().entries().size()
                ? promotions.subList(before.history().entries().size(), promotions.size()) : List.of();
        for (HistoryEntry promotion : added) {
            out.add(promoted(promotion));
        }
        Optional<String> leaderBefore = before.leader().map(Leader::member);
        Optional<String> leaderAfter = after.leader().map(Leader::member);
        boolean newEpoch = !before.leader().map(Leader::epoch).equals(after.leader().map(Leader::epoch));
        if (leaderAfter.isEmpty() && leaderBefore.isPresent()) {
            out.add(before.failover().isPresent() ? leaderBefore.get() + " released the leader key for the requested "
                    + (blank(before.failover().get().to()).isEmpty() ? "switchover" : "switchover to " + before.failover().get().to())
                    : leaderBefore.get() + "'s leader key is gone; the cluster has no leader");
        } else if (leaderAfter.isPresent() && newEpoch
                && added.stream().noneMatch(p -> Objects.equals(p.leader(), leaderAfter.get()))) {
            out.add(leaderAfter.get() + " took the leader key" + (leaderAfter.equals(leaderBefore) ? " again" : ""));
        }
        for (Member gone : before.members().values()) {
            if (!after.members().containsKey(gone.name())) {
                out.add(gone.name() + " left the cluster (its agent stopped or lost its DCS session)");
            }
        }
        for (Member now : after.members().values()) {
            Member was = before.members().get(now.name());
            if (was == null) {
                out.add(now.name() + " joined (" + describe(now) + ")");
            } else {
                change(was, now, leaderAfter.filter(now.name()::equals).isPresent()).ifPresent(out::add);
                if (now.draining() != was.draining()) {
                    out.add(now.draining() ? now.name() + " is draining: the proxies send it no new reads"
                            : now.name() + " is no longer draining: it takes reads again");
                }
                if (now.pendingRestart() && !was.pendingRestart()) {
                    out.add(now.name() + " needs a restart of PostgreSQL for "
                            + (now.pendingRestartParameters().isEmpty() ? "a changed parameter"
                            : String.join(", ", now.pendingRestartParameters())) + " ('pgherd restart " + now.name() + "')");
                }
            }
        }
        if (after.config().pause() != before.config().pause()) {
            out.add(after.config().pause() ? "maintenance mode on: the agents make no automatic failover"
                    : "maintenance mode off: automatic failover again");
        }
        return out;
    }

    private static String promoted(HistoryEntry promotion) {
        String reason = promotion.reason() == null ? "" : promotion.reason();
        String previous = promotion.previousLeader();
        String why = switch (reason) {
            case "failover" -> previous == null || previous.isEmpty() ? "failover" : "failover: " + previous + " lost";
            case "switchover" -> previous == null || previous.isEmpty() ? "switchover" : "switchover from " + previous;
            case "" -> "no reason recorded";
            default -> reason;
        };
        return promotion.leader() + " promoted (" + why + ")"
                + (promotion.timeline() > 0 ? ", timeline " + promotion.timeline() : "");
    }

    /** One sentence for what changed in a member that was there before and is now, if anything worth saying did. */
    private static Optional<String> change(Member was, Member now, boolean leads) {
        boolean wasUp = UP.contains(was.state());
        boolean isUp = UP.contains(now.state());
        if (wasUp && !isUp) {
            return Optional.of(now.name() + "'s PostgreSQL is " + now.state());
        }
        if (!wasUp && isUp) {
            return Optional.of(now.name() + " started PostgreSQL (" + describe(now) + ")");
        }
        if (!isUp) {
            return Optional.empty();
        }
        if (!was.inRecovery() && now.inRecovery()) {
            return Optional.of(now.name() + " rejoined as a standby (" + describe(now) + ")");
        }
        if (was.inRecovery() && !now.inRecovery() && !leads) {
            return Optional.of(now.name() + " runs as a primary without the leader key (timeline " + now.timeline() + ")");
        }
        if (now.inRecovery() && !Objects.equals(blank(was.following()), blank(now.following()))) {
            return Optional.of(now.name() + " " + following(now) + (blank(was.following()).isEmpty() ? ""
                    : " (was " + was.following() + ")"));
        }
        return Optional.empty();
    }

    private static String describe(Member member) {
        if (!UP.contains(member.state())) {
            return member.state();
        }
        if (!member.inRecovery()) {
            return "primary, timeline " + member.timeline();
        }
        return following(member) + ", timeline " + member.timeline();
    }

    private static String following(Member standby) {
        return blank(standby.following()).isEmpty() ? "a standby following nobody yet" : "follows " + standby.following();
    }

    private static String blank(String s) {
        return s == null ? "" : s;
    }
}

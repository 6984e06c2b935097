package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.proxy.route.Route;
import io.pgherd.proxy.stats.ProxyStats;

/**
 * SHOW ROUTING: how many routing decisions sent work to the primary or a replica, by the rule that
 * decided; rules that never decided anything are left out. Causal waits and retries on the primary
 * are counters of their own, in SHOW STATS.
 */
final class ShowRouting implements AdminCommand {
    static final List<String> COLUMNS = List.of("target", "reason", "description", "count");

    @Override
    public String pattern() {
        return "show\\s+routing";
    }

    @Override
    public String help() {
        return "SHOW ROUTING: statements and batches sent to the primary and to replicas, by the rule that decided";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        ProxyStats s = proxy.stats();
        List<List<String>> rows = new ArrayList<>();
        for (Route.Target target : Route.Target.values()) {
            for (Route.Reason reason : Route.Reason.values()) {
                long count = s.routedCount(target, reason);
                if (count > 0) {
                    rows.add(List.of(target.name().toLowerCase(Locale.ROOT), reason.name().toLowerCase(Locale.ROOT),
                            reason.sentence(), Long.toString(count)));
                }
            }
        }
        return CompletableFuture.completedFuture(AdminResult.table(COLUMNS, rows));
    }
}

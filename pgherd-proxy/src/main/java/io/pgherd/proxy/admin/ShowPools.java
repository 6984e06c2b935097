package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.proxy.backend.Pool;

/** SHOW POOLS: one row per (node, database, user) pool with its connections and waits. */
final class ShowPools implements AdminCommand {
    @Override
    public String pattern() {
        return "show\\s+pools";
    }

    @Override
    public String help() {
        return "SHOW POOLS: server connections per pool, waiting clients, wait times";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        List<List<String>> rows = new ArrayList<>();
        proxy.pools().stream().map(Pool::snapshot).sorted(Comparator.comparing(s -> s.key().toString())).forEach(s -> rows.add(List.of(
                s.key().node(), s.key().database(), s.key().user(), Integer.toString(s.waiting()),
                Integer.toString(s.active()), Integer.toString(s.idle()), Integer.toString(s.connecting()),
                Integer.toString(s.total()), Long.toString(s.borrowed()),
                Long.toString(s.waits() == 0 ? 0 : s.waitNanos() / s.waits() / 1000), Long.toString(s.maxWaitNanos() / 1000))));
        return CompletableFuture.completedFuture(AdminResult.table(List.of("node", "database", "user", "cl_waiting",
                "sv_active", "sv_idle", "sv_login", "sv_total", "borrowed", "avg_wait_us", "max_wait_us"), rows));
    }
}

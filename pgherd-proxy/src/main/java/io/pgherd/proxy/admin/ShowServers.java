package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.backend.ServerConnection;

/** SHOW SERVERS: every server connection with its pool, state, age and prepared statements. */
final class ShowServers implements AdminCommand {
    @Override
    public String pattern() {
        return "show\\s+servers";
    }

    @Override
    public String help() {
        return "SHOW SERVERS: server connections, their state, age and prepared statements";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        List<List<String>> rows = new ArrayList<>();
        for (Pool pool : proxy.pools()) {
            for (ServerConnection s : pool.servers()) {
                rows.add(List.of(Long.toString(s.id()), s.key().node(), s.key().database(), s.key().user(),
                        s.state().name().toLowerCase(java.util.Locale.ROOT),
                        s.backendKey() == null ? "" : Integer.toString(s.backendKey().processId()),
                        Long.toString(s.ageNanos() / 1_000_000_000L), Long.toString(s.idleNanos() / 1_000_000L),
                        Integer.toString(s.preparedCount())));
            }
        }
        return CompletableFuture.completedFuture(AdminResult.table(List.of("id", "node", "database", "user", "state",
                "backend_pid", "age_s", "idle_ms", "prepared"), rows));
    }
}

package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;


/** SHOW CLIENTS: every client connection with what it is doing. */
final class ShowClients implements AdminCommand {
    static final List<String> COLUMNS = List.of("id", "user", "database", "state", "address", "connected_at",
            "idle_ms", "server", "pinned", "last_query");

    @Override
    public String pattern() {
        return "show\\s+clients";
    }

    @Override
    public String help() {
        return "SHOW CLIENTS: client connections, their state, server and last statement";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        List<List<String>> rows = new ArrayList<>();
        proxy.clients().forEach(c -> rows.add(c.describe()));
        return CompletableFuture.completedFuture(AdminResult.table(COLUMNS, rows));
    }
}

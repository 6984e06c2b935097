package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;


/** SHOW PINS: clients held to one server connection, and why. */
final class ShowPins implements AdminCommand {
    @Override
    public String pattern() {
        return "show\\s+pins";
    }

    @Override
    public String help() {
        return "SHOW PINS: clients pinned to their server connection and why (temporary table, LISTEN, ...)";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        List<List<String>> rows = new ArrayList<>();
        proxy.clients().forEach(c -> {
            if (!c.pinReason().isEmpty()) {
                List<String> d = c.describe();
                rows.add(List.of(d.get(0), d.get(1), d.get(2), d.get(7), c.pinReason()));
            }
        });
        return CompletableFuture.completedFuture(AdminResult.table(List.of("client", "user", "database", "server", "reason"), rows));
    }
}

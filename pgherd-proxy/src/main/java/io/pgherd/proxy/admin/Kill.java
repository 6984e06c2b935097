package io.pgherd.proxy.admin;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.proxy.session.ClientHandle;

/** KILL id: closes one client connection (its id as SHOW CLIENTS shows it). */
final class Kill implements AdminCommand {
    @Override
    public String pattern() {
        return "kill\\s+(\\d+)";
    }

    @Override
    public String help() {
        return "KILL <client id>: close that client connection";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        int id;
        try {
            id = Integer.parseInt(match.group(1));
        } catch (NumberFormatException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no client " + match.group(1)));
        }
        ClientHandle client = proxy.client(id);
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no client " + id + " (see SHOW CLIENTS)"));
        }
        client.kill("terminated by an administrator (KILL " + id + ")");
        return CompletableFuture.completedFuture(AdminResult.tag("KILL"));
    }
}

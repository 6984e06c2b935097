package io.pgherd.proxy.admin;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;


/**
 * RELOAD: reads the configuration file again; a file with any problem is refused whole (every
 * problem listed) and the old configuration stays. Reading files is blocking, so it runs off the
 * event loop.
 */
final class Reload implements AdminCommand {
    @Override
    public String pattern() {
        return "reload";
    }

    @Override
    public String help() {
        return "RELOAD: re-read the configuration file; on any problem keep the old one and say why";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        return CompletableFuture.supplyAsync(() -> {
            String summary = proxy.reload();
            return new AdminResult(java.util.List.of("reload"), java.util.List.of(java.util.List.of(summary)), "RELOAD");
        });
    }
}

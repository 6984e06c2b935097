package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.common.config.Key;

/** SHOW CONFIG: every key with its value, default and whether RELOAD can change it. */
final class ShowConfig implements AdminCommand {
    @Override
    public String pattern() {
        return "show\\s+config";
    }

    @Override
    public String help() {
        return "SHOW CONFIG: every setting, its value, its default and whether RELOAD applies it";
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        List<List<String>> rows = new ArrayList<>();
        proxy.config().values().rendered().forEach((key, value) -> {
            Key k = key;
            rows.add(List.of(k.path(), value, k.render(k.defaultValue()), k.reloadable() ? "yes" : "no"));
        });
        return CompletableFuture.completedFuture(AdminResult.table(List.of("key", "value", "default", "reloadable"), rows));
    }
}

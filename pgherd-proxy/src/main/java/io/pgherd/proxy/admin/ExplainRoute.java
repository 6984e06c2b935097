package io.pgherd.proxy.admin;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.proxy.route.Route;

/**
 * EXPLAIN ROUTE [FOR DATABASE name] sql: where the statement router sends {@code sql} and why,
 * judging functions by that database's catalog (default {@code postgres}). The catalog is read from
 * the primary on a database's first use, in the background: until it arrives every function is
 * unknown and routes to the primary, so asking again a moment later can give another answer. The
 * answer is the router's alone; a session may still send the statement to the primary for reasons
 * of its own (a transaction begun there, a pin, session pooling, {@code pgherd.route}, splitting off).
 */
final class ExplainRoute implements AdminCommand {
    static final List<String> COLUMNS = List.of("target", "reason", "detail", "explanation");
    static final String DEFAULT_DATABASE = "postgres";

    @Override
    public String pattern() {
        return "explain\\s+route\\s+(?:for\\s+database\\s+(\"(?:[^\"]|\"\")+\"|[^\\s\";]+)\\s+)?(.+?)";
    }

    @Override
    public String help() {
        return "EXPLAIN ROUTE [FOR DATABASE name] <sql>: where the router sends sql and why (functions judged by the"
                + " database's catalog, default postgres; read on first use, until then functions are unknown: primary)";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        String database = match.group(1) == null ? DEFAULT_DATABASE : unquote(match.group(1));
        Route route = proxy.router(database).route(match.group(2));
        List<String> row = List.of(route.target().name().toLowerCase(Locale.ROOT),
                route.reason().name().toLowerCase(Locale.ROOT), route.detail(), route.explain());
        return CompletableFuture.completedFuture(new AdminResult(COLUMNS, List.of(row), "EXPLAIN"));
    }

    private static String unquote(String name) {
        return name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }
}

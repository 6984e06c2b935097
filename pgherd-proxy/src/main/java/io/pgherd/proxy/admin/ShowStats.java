package io.pgherd.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;

import io.pgherd.proxy.stats.ProxyStats;

/** SHOW STATS: the proxy's counters, one per row. */
final class ShowStats implements AdminCommand {
    @Override
    public String pattern() {
        return "show\\s+stats";
    }

    @Override
    public String help() {
        return "SHOW STATS: queries, transactions, bytes, causal waits, retries on the primary, errors by SQLSTATE,"
                + " client closes by reason";
    }

    @Override
    public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
        ProxyStats s = proxy.stats();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("clients_accepted", Long.toString(s.clientsAccepted.sum())));
        rows.add(List.of("clients_connected", Integer.toString(proxy.clientCount())));
        rows.add(List.of("queries", Long.toString(s.queries.sum())));
        rows.add(List.of("transactions", Long.toString(s.transactions.sum())));
        rows.add(List.of("bytes_from_clients", Long.toString(s.bytesFromClients.sum())));
        rows.add(List.of("bytes_to_clients", Long.toString(s.bytesToClients.sum())));
        rows.add(List.of("session_state_restores", Long.toString(s.serverStateRestores.sum())));
        rows.add(List.of("server_replays", Long.toString(s.serverReplays.sum())));
        rows.add(List.of("causal_waits", Long.toString(s.causalWaits.sum())));
        rows.add(List.of("retries_on_primary", Long.toString(s.retriesOnPrimary.sum())));
        rows.add(List.of("write_holds", Long.toString(s.writeHolds.sum())));
        s.errorsBySqlState().forEach((k, v) -> rows.add(List.of("errors{sqlstate=" + k + "}", Long.toString(v))));
        s.clientClosesByReason().forEach((k, v) -> rows.add(List.of("client_closes{reason=" + k + "}", Long.toString(v))));
        return CompletableFuture.completedFuture(AdminResult.table(List.of("stat", "value"), rows));
    }
}

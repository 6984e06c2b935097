package io.pgherd.cli;

import java.io.PrintWriter;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgherd.controller.access.DcsAuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd audit [--limit N]}: the newest entries of the cluster API's audit log, newest last (admins only). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Show the newest entries of the audit log of the cluster API, newest last: every request that"
                + " changed or tried to change something, with who (user and token id), what, when and the outcome."
                + " Read through the API with an admin's token; the log keeps the newest "
                + DcsAuditLog.MAX_ENTRIES + ".")
final class AuditCommand extends ApiCommand {
    static final int MAX_LIMIT = 1000;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N",
            description = "How many entries, 1 to " + MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the API's JSON for scripts.")
    boolean json;

    @Override
    List<String> problems() {
        return limit < 1 || limit > MAX_LIMIT ? List.of("--limit must be 1 to " + MAX_LIMIT + " (got " + limit + ")") : List.of();
    }

    @Override
    int run(ApiClient client, PrintWriter out) {
        JsonNode entries = client.get("/api/v1/audit?limit=" + limit);
        out.print(json ? entries.toPrettyString() + "\n" : AccessTables.audit(entries));
        return 0;
    }
}

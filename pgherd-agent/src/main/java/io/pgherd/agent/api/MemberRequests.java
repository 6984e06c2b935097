package io.pgherd.agent.api;

import java.util.Iterator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code POST /restart}, {@code /reload} and {@code /reinitialize}: operations on this member's
 * PostgreSQL, handed to its agent ({@link Operations}) and answered with Patroni's codes: 200 when
 * done ({@code restarted successfully}; for reinitialize: started), 503 when the agent refused or
 * failed, with its sentence; 400 for a malformed body. Thread-safe.
 */
final class MemberRequests {
    private static final Logger log = LoggerFactory.getLogger(MemberRequests.class);

    private final String member;
    private final Operations operations;

    MemberRequests(String member, Operations operations) {
        this.member = member;
        this.operations = operations;
    }

    /** {@code POST /restart [{"restart_pending": true}]}: restarts PostgreSQL (only if a restart is pending, when asked). */
    Response restart(Request request) {
        boolean onlyIfPending = false;
        if (request.body().length > 0) {
            try {
                ObjectNode body = ClusterRequests.object(request);
                for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!name.equals("restart_pending")) {
                        throw new ClusterRequests.BadRequest("POST /restart takes only \"restart_pending\" in this version"
                                + " (got \"" + name + "\")");
                    }
                }
                JsonNode pending = body.path("restart_pending");
                if (!pending.isMissingNode() && !pending.isBoolean()) {
                    throw new ClusterRequests.BadRequest("\"restart_pending\" must be true or false (got " + pending + ")");
                }
                onlyIfPending = pending.asBoolean(false);
            } catch (ClusterRequests.BadRequest e) {
                return Response.text(400, "pgherd: " + e.getMessage());
            }
        }
        log.info("{}: REST API: {} asked for a restart{}", member, request.remote(), onlyIfPending ? " if one is pending" : "");
        return answer(operations.restart().apply(onlyIfPending));
    }

    /** {@code POST /reload}: the dynamic configuration's parameters written again, then PostgreSQL reloaded. */
    Response reload(Request request) {
        log.info("{}: REST API: {} asked for a reload", member, request.remote());
        return answer(operations.reload().get());
    }

    /** {@code POST /reinitialize}: a fresh clone of the leader replaces this standby's data directory. */
    Response reinitialize(Request request) {
        log.info("{}: REST API: {} asked to reinitialize", member, request.remote());
        return answer(operations.reinitialize().get());
    }

    private static Response answer(Operations.Outcome outcome) {
        return outcome.done() ? Response.text(200, outcome.message()) : Response.text(503, "pgherd: " + outcome.message());
    }
}

package io.pgherd.controller.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.javalin.http.Context;
import io.pgherd.controller.access.AccessDecision;
import io.pgherd.controller.access.AuditEntry;
import io.pgherd.controller.access.Principal;
import io.pgherd.controller.access.Role;
import io.pgherd.controller.requests.RequestRefused;
import io.pgherd.dcs.DcsException;

/**
 * What every route goes through: the bearer token authenticated ({@code 401} with {@code WWW-Authenticate: Bearer}
 * after the refusal's delay), the role checked ({@code 403}), the route run, its answer or problem written as JSON,
 * and — for a mutating route — one audit entry, also when the request was refused. Nothing of the token reaches the
 * log or the answer. Thread-safe.
 */
final class Gate {
    /** Set on a request once it is answered, so the 404 and 405 handlers leave a route's own answer alone. */
    static final String ANSWERED = "pgherd.answered";
    private static final Logger log = LoggerFactory.getLogger(Gate.class);
    private static final String JSON = "application/json";

    private final ApiServices services;

    Gate(ApiServices services) {
        this.services = services;
    }

    void handle(Route route, Context ctx) {
        Instant now = services.clock().instant();
        Optional<Principal> principal = Optional.empty();
        Call call = new Call(ctx, Optional.empty());
        int status;
        String outcome;
        try {
            if (route.role().isPresent()) {
                principal = Optional.of(authenticate(ctx, now));
                call = new Call(ctx, principal);
                permit(principal.get(), route);
            }
            Reply reply = route.action().handle(call);
            status = reply.status();
            outcome = reply.outcome();
            ctx.attribute(ANSWERED, true);
            ctx.status(reply.status());
            if (reply.body() != null) {
                ctx.contentType(JSON).result(reply.body().toPrettyString());
            }
        } catch (Problem p) {
            status = p.status();
            outcome = p.getMessage();
            write(ctx, p);
        } catch (RequestRefused e) {
            Problem p = Problem.of(e);
            status = p.status();
            outcome = p.getMessage();
            write(ctx, p);
        } catch (DcsException e) {
            Problem p = Problem.dcsUnavailable("the DCS did not answer" + (route.mutating() ? ", so the change may or may not"
                    + " have been made" : "") + ": " + e.getMessage());
            status = p.status();
            outcome = p.getMessage();
            write(ctx, p);
        } catch (RuntimeException e) {
            log.warn("api: {} failed", route, e);
            Problem p = Problem.internal("the request failed on the server; its log says why");
            status = p.status();
            outcome = p.getMessage();
            write(ctx, p);
        }
        if (route.mutating()) {
            audit(new AuditEntry(services.clock().instant(), principal.map(Principal::user).orElse("-"),
                    principal.map(Principal::tokenId).orElse("-"), ctx.method() + " " + ctx.path(), call.target(), status,
                    outcome));
        }
    }

    private Principal authenticate(Context ctx, Instant now) {
        AccessDecision decision = services.access().authenticate(ctx.header("Authorization"), ctx.ip(), now);
        if (decision instanceof AccessDecision.Refused refused) {
            pause(refused.delay());
            ctx.header("WWW-Authenticate", "Bearer realm=\"pgherd\"");
            throw Problem.unauthorized(refused.reason() + "; send Authorization: Bearer <token>");
        }
        return ((AccessDecision.Granted) decision).principal();
    }

    private static void permit(Principal principal, Route route) {
        Role required = route.role().orElseThrow();
        if (!principal.role().permits(required)) {
            throw Problem.forbidden("user " + principal.user() + " has role " + principal.role().wireName() + "; " + route
                    + " needs " + required.wireName());
        }
    }

    private static void pause(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void audit(AuditEntry entry) {
        try {
            services.audit().append(entry);
        } catch (RuntimeException e) {
            log.warn("api: could not write the audit entry of {} (status {}): {}", entry.action(), entry.status(),
                    e.getMessage());
        }
    }

    /** Writes a problem as the answer. */
    static void write(Context ctx, Problem p) {
        ctx.attribute(ANSWERED, true);
        ctx.status(p.status()).contentType(Problem.CONTENT_TYPE).result(p.json().toPrettyString());
    }
}

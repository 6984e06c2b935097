package io.pgherd.agent.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.pgherd.cluster.ClusterStore;
import io.pgherd.common.config.HostPort;

/**
 * The agent's REST API over HTTP (the JDK's {@code com.sun.net.httpserver}), listening on the
 * configured address only. Status codes follow Patroni's, so HAProxy's {@code option httpchk}
 * (which sends {@code OPTIONS /}) and {@code GET /primary} / {@code /replica} checks work unchanged.
 *
 * <ul>
 *   <li>Health checks (GET, HEAD, OPTIONS; 200 or 503 with Patroni 3's JSON status document, no body
 *       for HEAD and OPTIONS): {@code /}, {@code /primary}, {@code /master}, {@code /leader},
 *       {@code /read-write}: this member holds the key and takes writes; {@code /replica[?lag=]};
 *       {@code /read-only[?lag=]}; {@code /sync}, {@code /synchronous}: the synchronous standby;
 *       {@code /async}, {@code /asynchronous}{@code [?lag=]}: any other running standby;
 *       {@code /standby-leader}: always 503 (no standby clusters); {@code /health}; {@code /liveness};
 *       {@code /readiness}.</li>
 *   <li>Reports (GET, HEAD): {@code /patroni} (the status document, always 200), {@code /cluster},
 *       {@code /history}, {@code /config} (JSON, read from the DCS now), {@code /metrics} (Prometheus text).</li>
 *   <li>Writing, with HTTP basic authentication as the API user (401 otherwise; 403 for the read-only
 *       user, which monitoring may send everywhere): {@code POST /switchover},
 *       {@code DELETE /switchover}, {@code POST /failover}, {@code PATCH /config} (a JSON merge
 *       patch of the dynamic configuration, 400 listing every problem); {@code POST /restart},
 *       {@code /reload}, {@code /reinitialize}, which the member's agent carries out
 *       ({@link Operations}: 200 when done, 503 with its reason otherwise).</li>
 *   <li>Unknown path: 404; known path, other method: 405 with {@code Allow}; malformed request: 400.</li>
 * </ul>
 *
 * <p>Health checks and metrics answer from the agent's last cycle ({@link NodeState}) without any
 * I/O. Requests run on a small pool of the server's own, so a DCS call that waits does not hold up
 * the dispatcher. Thread-safe.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    /** Largest request body accepted (413 beyond); the requests are a few fields of JSON. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int THREADS = 4;
    private static final List<String> PROBE = List.of("GET", "HEAD", "OPTIONS");
    private static final List<String> REPORT = List.of("GET", "HEAD");

    private record Endpoint(boolean writes, Function<Request, Response> handler) {
    }

    /**
     * A user that may read but not write: monitoring's credentials, separate from the API user's, refused
     * (403) on every writing endpoint. Reading endpoints need no credentials (as Patroni's).
     *
     * @param user its name (no ':')
     * @param password its password (not empty); never shown
     */
    public record ReadOnlyUser(String user, String password) {
        @Override
        public String toString() {
            return "ReadOnlyUser[user=" + user + ", password=(hidden)]";
        }
    }

    /**
     * What the API shows beyond the agent's cycle.
     *
     * @param version pgherd's version ({@code patroni.version} of the status document)
     * @param facts what the running PostgreSQL says (empty: it does not answer)
     * @param readOnly the read-only user, if any
     */
    public record Extras(String version, Supplier<Optional<ServerFacts>> facts, Optional<ReadOnlyUser> readOnly) {
        /** No read-only user, no facts beyond the agent's cycle. */
        public static final Extras NONE = new Extras("unknown", Optional::empty, Optional.empty());
    }

    private final String member;
    private final BasicAuth auth;
    private final Optional<BasicAuth> readOnly;
    private final Map<String, Map<String, Endpoint>> routes;
    private final ExecutorService executor;
    private final HttpServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ApiServer(String member, Supplier<NodeState> state, ClusterStore store, Operations operations, HostPort listen,
                      BasicAuth auth, Duration ttl, Clock clock, Extras extras) {
        this.member = member;
        this.auth = auth;
        this.readOnly = extras.readOnly().map(r -> new BasicAuth(r.user(), r.password()));
        if (readOnly.isPresent() && readOnly.get().user().equals(auth.user())) {
            throw new IllegalArgumentException("REST API of " + member + ": the read-only user must differ from the API user "
                    + auth.user());
        }
        this.routes = routes(member, state, store, operations, ttl, clock, extras);
        InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("REST API of " + member + ": cannot resolve the listen address " + listen);
        }
        try {
            this.server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("REST API of " + member + ": cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread t = new Thread(task, "pgherd-api-" + member + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /**
     * Starts the API of no agent: {@code POST /restart}, {@code /reload} and {@code /reinitialize}
     * answer 503 ({@link Operations#UNAVAILABLE}); see {@link #start(String, Supplier, ClusterStore,
     * Operations, HostPort, String, String, Duration)}.
     */
    public static ApiServer start(String member, Supplier<NodeState> state, ClusterStore store, HostPort listen, String user,
                                  String password, Duration ttl) {
        return start(member, state, store, Operations.UNAVAILABLE, listen, user, password, ttl);
    }

    /**
     * Starts the API.
     *
     * @param member this member's name
     * @param state what the agent's last cycle saw; called once per request, from the server's threads
     * @param store the cluster's keys, for reports and requests
     * @param operations what the agent does on request (restart, reload, reinitialize)
     * @param listen the address to listen on (port 0: any free one, see {@link #port()})
     * @param user the user of the writing endpoints (no ':')
     * @param password its password (not empty); kept only as a digest
     * @param ttl the leader key's TTL: {@code /liveness} fails when the last cycle is older
     * @throws UncheckedIOException when the address cannot be bound
     * @throws IllegalArgumentException for a blank member or user, an empty password or a TTL not above zero
     */
    public static ApiServer start(String member, Supplier<NodeState> state, ClusterStore store, Operations operations,
                                  HostPort listen, String user, String password, Duration ttl) {
        return start(member, state, store, operations, listen, user, password, ttl, Extras.NONE);
    }

    /**
     * Starts the API as {@link #start(String, Supplier, ClusterStore, Operations, HostPort, String, String, Duration)}
     * does, with a read-only user and PostgreSQL's facts for the status documents.
     *
     * @throws IllegalArgumentException also for a read-only user named as the API user, or blank, or without a password
     */
    public static ApiServer start(String member, Supplier<NodeState> state, ClusterStore store, Operations operations,
                                  HostPort listen, String user, String password, Duration ttl, Extras extras) {
        if (member == null || member.isBlank()) {
            throw new IllegalArgumentException("REST API: the member name must be set");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("REST API of " + member + ": ttl must be > 0 (got " + ttl.toMillis() + " ms)");
        }
        ApiServer api = new ApiServer(member, state, store, operations, listen, new BasicAuth(user, password), ttl,
                Clock.systemUTC(), extras);
        api.server.start();
        log.info("{}: REST API listening on {}:{}", member, listen.host(), api.port());
        return api;
    }

    private static Map<String, Map<String, Endpoint>> routes(String member, Supplier<NodeState> state, ClusterStore store,
                                                            Operations operations, Duration ttl, Clock clock, Extras extras) {
        String scope = store.keys().cluster();
        HealthChecks health = new HealthChecks(member, scope, state, ttl, clock, extras.version(), extras.facts());
        ClusterReport report = new ClusterReport(store);
        Metrics metrics = new Metrics(member, scope, state, health);
        ClusterRequests requests = new ClusterRequests(member, store, clock);
        ConfigRequests config = new ConfigRequests(member, store);
        MemberRequests operate = new MemberRequests(member, operations);
        Map<String, Map<String, Endpoint>> routes = new HashMap<>();
        for (String path : List.of("/", "/primary", "/master", "/leader", "/read-write")) {
            add(routes, path, PROBE, false, health::primary);
        }
        add(routes, "/replica", PROBE, false, health::replica);
        add(routes, "/read-only", PROBE, false, health::readOnly);
        for (String path : List.of("/sync", "/synchronous")) {
            add(routes, path, PROBE, false, health::synchronous);
        }
        for (String path : List.of("/async", "/asynchronous")) {
            add(routes, path, PROBE, false, health::asynchronous);
        }
        add(routes, "/standby-leader", PROBE, false, health::standbyLeader);
        add(routes, "/patroni", REPORT, false, health::patroni);
        add(routes, "/health", PROBE, false, health::health);
        add(routes, "/liveness", PROBE, false, health::liveness);
        add(routes, "/readiness", PROBE, false, health::readiness);
        add(routes, "/cluster", REPORT, false, report::cluster);
        add(routes, "/history", REPORT, false, report::history);
        add(routes, "/metrics", REPORT, false, metrics::render);
        add(routes, "/switchover", List.of("POST"), true, requests::switchover);
        add(routes, "/switchover", List.of("DELETE"), true, requests::cancelSwitchover);
        add(routes, "/failover", List.of("POST"), true, requests::failover);
        add(routes, "/config", REPORT, false, config::show);
        add(routes, "/config", List.of("PATCH"), true, config::patch);
        add(routes, "/restart", List.of("POST"), true, operate::restart);
        add(routes, "/reload", List.of("POST"), true, operate::reload);
        add(routes, "/reinitialize", List.of("POST"), true, operate::reinitialize);
        Map<String, Map<String, Endpoint>> frozen = new HashMap<>();
        routes.forEach((path, methods) -> frozen.put(path, Map.copyOf(methods)));
        return Map.copyOf(frozen);
    }

    private static void add(Map<String, Map<String, Endpoint>> routes, String path, List<String> methods, boolean writes,
                            Function<Request, Response> handler) {
        for (String method : methods) {
            routes.computeIfAbsent(path, p -> new HashMap<>()).put(method, new Endpoint(writes, handler));
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        try {
            Response response;
            try {
                response = dispatch(exchange, method);
            } catch (RuntimeException e) {
                log.warn("{}: REST API: {} {} failed: {}", member, method, exchange.getRequestURI().getPath(), e.toString());
                response = Response.text(500, "pgherd: internal error: " + e);
            }
            send(exchange, method, response);
        } catch (IOException e) {
            log.debug("{}: REST API: could not answer {} {}: {}", member, method, exchange.getRequestURI().getPath(),
                    e.toString());
        } finally {
            exchange.close();
        }
    }

    private Response dispatch(HttpExchange exchange, String method) throws IOException {
        URI uri = exchange.getRequestURI();
        String path = uri.getPath() == null ? "" : uri.getPath();
        Map<String, Endpoint> methods = routes.get(path);
        if (methods == null) {
            return Response.text(404, "pgherd: no such endpoint: " + abbreviate(path));
        }
        Endpoint endpoint = methods.get(method);
        if (endpoint == null) {
            String allowed = String.join(", ", new TreeSet<>(methods.keySet()));
            return Response.text(405, "pgherd: " + path + " answers " + allowed + ", not " + abbreviate(method))
                    .withHeader("Allow", allowed);
        }
        String remote = address(exchange);
        if (endpoint.writes()) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!auth.accepts(authorization) && readOnly.filter(r -> r.accepts(authorization)).isPresent()) {
                log.warn("{}: REST API: refused {} {} from {}: the read-only user {} may not write", member, method, path,
                        remote, readOnly.get().user());
                return Response.text(403, "pgherd: user " + readOnly.get().user() + " may only read; " + method + " " + path
                        + " needs the API user " + auth.user());
            }
            if (!auth.accepts(authorization)) {
                log.warn("{}: REST API: refused {} {} from {}: {}", member, method, path, remote,
                        authorization == null ? "no credentials" : "wrong credentials");
                return Response.text(401, "pgherd: " + method + " " + path + " requires HTTP basic authentication")
                        .withHeader("WWW-Authenticate", "Basic realm=\"pgherd\", charset=\"UTF-8\"");
            }
            remote = auth.user() + " at " + remote;
        }
        Map<String, String> query;
        try {
            query = query(uri.getRawQuery());
        } catch (IllegalArgumentException e) {
            return Response.text(400, "pgherd: malformed query string: " + e.getMessage());
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            return Response.text(413, "pgherd: the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return endpoint.handler().apply(new Request(method, path, query, body, remote));
    }

    private static void send(HttpExchange exchange, String method, Response response) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", response.contentType());
        headers.set("Cache-Control", "no-store");
        response.headers().forEach(headers::set);
        boolean bodyless = method.equals("HEAD") || method.equals("OPTIONS") || response.body().length == 0;
        if (bodyless) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }

    /** Query parameters, decoded; the last of a repeated name wins. */
    static Map<String, String> query(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new HashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(name, value);
        }
        return out;
    }

    private static String address(HttpExchange exchange) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote == null ? "(unknown)" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "…";
    }

    /** Stops listening and closes open connections. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
            log.info("{}: REST API stopped", member);
        }
    }
}

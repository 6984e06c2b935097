package io.pgherd.controller.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.pgherd.common.config.HostPort;
import io.pgherd.controller.ControllerConfig;

/**
 * The cluster REST API ({@code /api/v1/}, issue 16) of one controller, on Javalin (Jetty 12): the routes of
 * {@link #groups}, each through the {@link Gate} (token, role, audit, problem details), on {@code listen}, over TLS
 * when certificate and key files are given. An unknown path is a 404 problem, a method the path does not take a 405
 * problem. {@link #close()} stops it.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    /** The API's TLS files (PEM). */
    public record Tls(Path certificate, Path key) {
    }

    private final Javalin app;
    private final ApiServices services;
    private final List<Route> routes;
    private ServerConnector connector;

    /**
     * Starts listening.
     *
     * @throws IllegalArgumentException naming the address when it cannot be listened on, or the TLS file at fault
     */
    public ApiServer(HostPort listen, Optional<Tls> tls, ApiServices services) {
        this.services = services;
        this.routes = routes(services);
        Gate gate = new Gate(services);
        Optional<java.security.KeyStore> keys = tls.map(t -> PemKeyStore.load(t.certificate(), t.key()));
        this.app = Javalin.create(config -> configure(config, listen, keys, gate));
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalArgumentException("controller.api.listen: cannot listen on " + listen + ": "
                    + rootMessage(e));
        }
        log.info("cluster API at {}://{}:{}/api/v1/", tls.isPresent() ? "https" : "http", listen.host(), port());
    }

    /** The server {@code controller.api.listen} asks for, started; empty when it is unset. */
    public static Optional<ApiServer> configured(ControllerConfig settings, ApiServices services) {
        HostPort listen = settings.get(ControllerConfig.API_LISTEN);
        if (listen == null) {
            return Optional.empty();
        }
        String certificate = settings.get(ControllerConfig.API_TLS_CERTIFICATE);
        Optional<Tls> tls = certificate == null || certificate.isBlank() ? Optional.empty()
                : Optional.of(new Tls(Path.of(certificate), Path.of(settings.get(ControllerConfig.API_TLS_KEY))));
        return Optional.of(new ApiServer(listen, tls, services));
    }

    /** Every route group of the API. */
    static List<Route> routes(ApiServices services) {
        List<Route> all = new ArrayList<>();
        all.addAll(new ClusterRoutes(services).routes());
        all.addAll(new HandoverRoutes(services).routes());
        all.addAll(new ConfigRoutes(services).routes());
        all.addAll(new TaskRoutes(services).routes());
        all.addAll(new AccessRoutes(services).routes());
        all.addAll(new ScheduleRoutes(services).routes());
        all.add(OpenApi.route());
        return List.copyOf(all);
    }

    private void configure(JavalinConfig config, HostPort listen, Optional<java.security.KeyStore> keys, Gate gate) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.startup.startupWatcherEnabled = false;
        config.http.prefer405over404 = true;
        config.jetty.addConnector((server, http) -> connector(server, http, listen, keys));
        for (Route route : routes) {
            config.routes.addHttpHandler(route.method(), route.path(), ctx -> gate.handle(route, ctx));
        }
        config.routes.error(404, ctx -> unanswered(ctx, Problem.noRoute("no route " + ctx.method() + " " + ctx.path()
                + "; GET " + Route.PREFIX + "/openapi.json lists them")));
        config.routes.error(405, ctx -> unanswered(ctx, Problem.methodNotAllowed(ctx.path() + " does not take "
                + ctx.method() + "; GET " + Route.PREFIX + "/openapi.json lists its methods")));
        config.routes.exception(Exception.class, (e, ctx) -> Gate.write(ctx, Problem.internal("the request failed on the"
                + " server; its log says why")));
    }

    private static void unanswered(Context ctx, Problem problem) {
        if (ctx.attribute(Gate.ANSWERED) == null) {
            Gate.write(ctx, problem);
        }
    }

    private Connector connector(Server server, HttpConfiguration http, HostPort listen,
                                Optional<java.security.KeyStore> keys) {
        http.setSendServerVersion(false);
        if (keys.isPresent()) {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // Clients reach a controller by IP address or by any of its names: the certificate is the client's to check.
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keys.get());
            ssl.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
            connector = new ServerConnector(server, ssl, new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        return connector;
    }

    /** The port it listens on (the one the system chose for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** What its routes work with. */
    public ApiServices services() {
        return services;
    }

    /** The routes it serves. */
    public List<Route> routes() {
        return routes;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? "failed to start" : root.getMessage();
    }

    @Override
    public void close() {
        app.stop();
    }
}

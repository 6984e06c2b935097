package io.pgherd.controller.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.pgherd.common.config.HostPort;

/**
 * Serves {@code GET /metrics} of one controller ({@link ControllerMetrics}) on its own address, with the JDK's HTTP
 * server as the agents' REST API does; any other path or method is 404 or 405. Answers from the controller's last
 * cycle only (no DCS read per request), on one daemon thread.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @throws UncheckedIOException naming the address when it cannot be listened on (in use, not local)
     */
    public MetricsServer(HostPort listen, Supplier<ControllerStatus> status, Clock clock) {
        InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("controller.metrics.listen: cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        executor = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "pgherd-controller-metrics");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", exchange -> answer(exchange, status, clock));
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, Supplier<ControllerStatus> status, Clock clock) throws IOException {
        try (exchange) {
            boolean found = exchange.getRequestURI().getPath().equals("/metrics");
            boolean get = exchange.getRequestMethod().equals("GET");
            int code = !found ? 404 : get ? 200 : 405;
            String text = code == 200 ? ControllerMetrics.render(status.get(), clock.millis())
                    : code == 404 ? "not found; try /metrics\n" : "only GET\n";
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", ControllerMetrics.CONTENT_TYPE);
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

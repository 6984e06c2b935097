package io.pgherd.proxy.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.protocol.FailureText;
import io.pgherd.protocol.SqlState;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.topology.NodeConnector;

/**
 * Finds a user's secret: in the auth file, else with {@code auth_query} run as {@code auth_user} in
 * {@code auth.dbname} (never the client's database, so a client naming a missing database is
 * authenticated first and then told as PostgreSQL would tell it) on the primary, or on another node
 * while the primary cannot be reached; on a small blocking executor, never on an event loop.
 * auth_query answers are cached for a few seconds per user, so a burst of logins costs one query.
 * Thread-safe.
 */
public final class Authenticator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final long CACHE_NANOS = 5_000_000_000L;

    private final AuthFile file;
    private final ProxyConfig config;
    private final String authPassword;
    private final ExecutorService executor;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<Secret> secret, long atNanos) {
    }

    /**
     * Reads the auth file and auth_user's password file named by {@code config}.
     *
     * @throws io.pgherd.proxy.auth.AuthFileException listing every bad line of the auth file
     */
    public Authenticator(ProxyConfig config) {
        this.config = config;
        String authFile = config.get(ProxyConfig.AUTH_FILE);
        this.file = authFile == null ? null : AuthFile.load(Path.of(authFile));
        String passwordFile = config.get(ProxyConfig.AUTH_PASSWORD_FILE);
        try {
            this.authPassword = passwordFile == null ? null : Files.readAllLines(Path.of(passwordFile)).get(0).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + passwordFile, e);
        }
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pgherd-auth-query");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The secret of {@code user}; empty when the user is unknown. Completes exceptionally with an
     * {@link AuthQueryException} when auth_query could not run.
     */
    public CompletableFuture<Optional<Secret>> secretFor(String user) {
        if (file != null) {
            Optional<Secret> found = file.lookup(user);
            if (found.isPresent() || config.get(ProxyConfig.AUTH_USER) == null) {
                return CompletableFuture.completedFuture(found);
            }
        }
        if (config.get(ProxyConfig.AUTH_USER) == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String database = config.get(ProxyConfig.AUTH_DBNAME);
        String cacheKey = database + "\0" + user;
        Cached cached = cache.get(cacheKey);
        if (cached != null && System.nanoTime() - cached.atNanos() < CACHE_NANOS) {
            return CompletableFuture.completedFuture(cached.secret());
        }
        return CompletableFuture.supplyAsync(() -> {
            Optional<Secret> secret = query(database, user);
            cache.put(cacheKey, new Cached(secret, System.nanoTime()));
            return secret;
        }, executor);
    }

    /** The credentials of {@code auth_user}, if configured. */
    public Optional<String> authUserPassword() {
        return Optional.ofNullable(authPassword);
    }

    /**
     * Runs auth_query on the primary; when the primary cannot be reached (a failover: the old one is down
     * and no new one is confirmed yet) on the other nodes in turn, which hold the same roles, so that
     * logins go on while writes are held. An error the query itself raises is not retried elsewhere.
     *
     * @throws AuthQueryException with the first node's error when no node answered
     */
    private Optional<Secret> query(String database, String user) {
        ProxyConfig.Node primary = config.primary();
        SQLException first = null;
        ProxyConfig.Node firstNode = null;
        for (ProxyConfig.Node node : config.primaryFirst()) {
            try {
                Optional<Secret> secret = query(node, database, user);
                if (first != null) {
                    log.info("auth_query for user {} answered by {} while the primary {} is unreachable", user, node.name(),
                            primary.name());
                }
                return secret;
            } catch (SQLException e) {
                log.warn("auth_query for user {} on {}/{} failed: {}", user, node.name(), database, e.getMessage());
                if (first == null) {
                    first = e;
                    firstNode = node;
                }
                if (!SqlState.serverUnavailable(e.getSQLState())) {
                    break;
                }
            }
        }
        throw new AuthQueryException(first.getSQLState(), "auth_query as \"" + config.get(ProxyConfig.AUTH_USER)
                + "\" in database \"" + database + "\" on " + firstNode.name() + " failed: " + serverMessage(first), first);
    }

    /** What the server said (its primary message only), else the driver's message; never a class name. */
    private static String serverMessage(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null && p.getServerErrorMessage().getMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return FailureText.describe(e);
    }

    private Optional<Secret> query(ProxyConfig.Node node, String database, String user) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", config.get(ProxyConfig.AUTH_USER));
        props.setProperty("password", authPassword);
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "pgherd auth_query");
        String url = NodeConnector.url(node.host(), node.port(), database);
        String sql = config.get(ProxyConfig.AUTH_QUERY).replace("$1", "?");
        try (Connection c = DriverManager.getConnection(url, props); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, user);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || rs.getString(2) == null) {
                    return Optional.empty();
                }
                return Optional.of(Secret.parse(rs.getString(2)));
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

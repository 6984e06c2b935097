package io.pgherd.proxy.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgherd.protocol.AuthenticationMD5Password;
import io.pgherd.protocol.AuthenticationOk;
import io.pgherd.protocol.AuthenticationSASL;
import io.pgherd.protocol.AuthenticationSASLContinue;
import io.pgherd.protocol.AuthenticationSASLFinal;
import io.pgherd.protocol.BackendKeyData;
import io.pgherd.protocol.CancelRequest;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.FailureText;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.GSSENCRequest;
import io.pgherd.protocol.NegotiateProtocolVersion;
import io.pgherd.protocol.ParameterStatus;
import io.pgherd.protocol.PasswordMessage;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.ProtocolException;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.SASLInitialResponse;
import io.pgherd.protocol.SASLResponse;
import io.pgherd.protocol.SSLRequest;
import io.pgherd.protocol.SqlState;
import io.pgherd.protocol.StartupMessage;
import io.pgherd.proxy.admin.AdminSession;
import io.pgherd.proxy.auth.AuthQueryException;
import io.pgherd.proxy.auth.AuthenticationFailedException;
import io.pgherd.proxy.auth.Md5Auth;
import io.pgherd.proxy.auth.Md5Secret;
import io.pgherd.proxy.auth.ScramSecret;
import io.pgherd.proxy.auth.ScramServerExchange;
import io.pgherd.proxy.auth.Secret;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.backend.ServerConnection;
import io.pgherd.proxy.backend.ServerCredentials;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.route.Route;
import io.pgherd.proxy.session.ClientHandle;
import io.pgherd.proxy.session.ClientSession;

/**
 * A new client connection up to the moment it may send queries: TLS negotiation, cancel requests,
 * the startup message, authentication, and the first login to its pool's server (which tells the
 * client's parameters and checks that the database exists). Then it hands the channel to a
 * {@link ClientSession}, or to the {@link AdminSession} for the virtual database {@value #ADMIN_DATABASE}.
 * Runs on the client's event loop.
 */
public final class ClientStartup extends ChannelInboundHandlerAdapter {
    /** The admin console's virtual database. */
    public static final String ADMIN_DATABASE = "pgherd";
    private static final Logger log = LoggerFactory.getLogger(ClientStartup.class);
    private enum Step { STARTUP, SCRAM_FIRST, SCRAM_FINAL, MD5, CONNECTING, DONE }

    private final FrontendContext proxy;
    private final SslContext ssl;
    private Step step = Step.STARTUP;
    private StartupMessage startup;
    private ScramServerExchange scram;
    private Md5Secret md5Secret;
    private byte[] md5Salt;
    private ScheduledFuture<?> loginTimeout;
    /** Session pooling: the request for the client's own server, while it waits. */
    private Pool.Waiter sessionServer;

    public ClientStartup(FrontendContext proxy, SslContext ssl) {
        this.proxy = proxy;
        this.ssl = ssl;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long limit = proxy.config().get(ProxyConfig.CLIENT_LOGIN_TIMEOUT).toMillis();
        if (limit > 0) {
            loginTimeout = ctx.executor().schedule(() -> loginTimedOut(ctx, limit), limit, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Replaced by the session (logged in) or removed as the channel closed: either way no timeout.
        if (loginTimeout != null) {
            loginTimeout.cancel(false);
        }
        if (sessionServer != null) {
            sessionServer.cancel();
        }
    }

    /**
     * client_login_timeout passed before the client authenticated. Before a startup message it is
     * closed without a word, as PostgreSQL's postmaster does at authentication_timeout; during the
     * authentication it is told why (PostgreSQL says nothing there either, but the client can read an
     * error now). After the authentication, the server login and the wait for a server have their own
     * limits (server_connect_timeout, query_wait_timeout).
     */
    private void loginTimedOut(ChannelHandlerContext ctx, long limitMillis) {
        if (step == Step.CONNECTING || step == Step.DONE || !ctx.channel().isActive()) {
            return;
        }
        String reason = "client_login_timeout (" + limitMillis + " ms) passed before the client authenticated";
        log.info("client {}: closed: {} (at step {})", ctx.channel().remoteAddress(), reason, step);
        if (startup == null) {
            proxy.stats().clientClosed("client_login_timeout");
            ctx.close();
        } else {
            fail(ctx, ErrorResponse.pgherdFatal(SqlState.PROTOCOL_VIOLATION, reason), "client_login_timeout");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SSLRequest) {
                boolean accept = ssl != null && ctx.pipeline().get("tls") == null;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) (accept ? 'S' : 'N')}));
                if (accept) {
                    ctx.pipeline().addFirst("tls", ssl.newHandler(ctx.alloc()));
                }
            } else if (msg instanceof GSSENCRequest) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            } else if (msg instanceof CancelRequest cancel) {
                ClientHandle client = proxy.client(cancel.processId());
                if (client != null && client.secretKey() == cancel.secretKey()) {
                    client.cancel();
                }
                ctx.close();
            } else if (msg instanceof StartupMessage message) {
                startup(ctx, message);
            } else if (msg instanceof Frame frame) {
                try {
                    authenticationResponse(ctx, frame);
                } finally {
                    frame.release();
                }
            }
        } catch (AuthenticationFailedException e) {
            log.info("client {}: authentication as {} failed: {}", ctx.channel().remoteAddress(), e.user(), e.reason());
            fail(ctx, e.toErrorResponse(), "authentication failed");
        } catch (ProtocolException e) {
            protocolViolation(ctx, e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolException e) {
            protocolViolation(ctx, e);
        } else {
            proxy.stats().clientClosed("I/O error during startup");
            ctx.close();
        }
    }

    /** Answers a violation with a FATAL error, or closes without one where PostgreSQL does (an invalid length). */
    private void protocolViolation(ChannelHandlerContext ctx, ProtocolException e) {
        if (e.answered()) {
            fail(ctx, e.toErrorResponse(), "protocol violation");
            return;
        }
        log.info("client {}: closed without a reply: {}", ctx.channel().remoteAddress(), e.getMessage());
        proxy.stats().error(e.sqlState());
        proxy.stats().clientClosed("protocol violation");
        ctx.close();
    }

    private void startup(ChannelHandlerContext ctx, StartupMessage message) {
        startup = message;
        List<String> unsupported = message.parameters().keySet().stream().filter(k -> k.startsWith("_pq_.")).toList();
        if ((message.protocolVersion() & 0xFFFF) != 0 || !unsupported.isEmpty()) {
            ctx.write(new NegotiateProtocolVersion(0, unsupported));
        }
        if (proxy.clientCount() >= proxy.config().get(ProxyConfig.MAX_CLIENT_CONN)) {
            fail(ctx, ErrorResponse.pgherdFatal(SqlState.TOO_MANY_CONNECTIONS, "too many client connections (max_client_conn "
                    + proxy.config().get(ProxyConfig.MAX_CLIENT_CONN) + ")"), "max_client_conn reached");
            return;
        }
        String user = message.user();
        if (ADMIN_DATABASE.equals(database()) && !proxy.config().get(ProxyConfig.ADMIN_USERS).contains(user)) {
            fail(ctx, ErrorResponse.pgherdFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "user \"" + user
                    + "\" is not an admin user of the console (proxy.admin_users)"), "not an admin user");
            return;
        }
        if (proxy.config().get(ProxyConfig.AUTH_TYPE) == ProxyConfig.AuthType.TRUST) {
            authenticated(ctx, new ServerCredentials.None());
            return;
        }
        ctx.channel().config().setAutoRead(false);
        // The user's secret comes first, whatever the database: a missing database is told only to an
        // authenticated client, by the server's own login error, as PostgreSQL does.
        proxy.authenticator().secretFor(user).whenComplete((secret, error) -> ctx.executor().execute(() -> {
            ctx.channel().config().setAutoRead(true);
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                ErrorResponse answer = cause instanceof AuthQueryException e ? e.toErrorResponse(user)
                        : ErrorResponse.pgherdFatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "could not look up user \""
                                + user + "\": " + FailureText.describe(cause));
                if (cause instanceof AuthQueryException) {
                    log.info("client {}: closed: {}", ctx.channel().remoteAddress(), answer.message());
                } else {
                    log.warn("client {}: looking up user {} failed", ctx.channel().remoteAddress(), user, cause);
                }
                fail(ctx, answer, "auth_query failed");
                return;
            }
            challenge(ctx, secret);
        }));
    }

    private void challenge(ChannelHandlerContext ctx, Optional<Secret> secret) {
        String user = startup.user();
        boolean md5Allowed = proxy.config().get(ProxyConfig.AUTH_TYPE) == ProxyConfig.AuthType.MD5;
        if (secret.isPresent() && secret.get() instanceof Md5Secret md5 && md5Allowed) {
            md5Secret = md5;
            md5Salt = Md5Auth.newSalt();
            step = Step.MD5;
            ctx.writeAndFlush(new AuthenticationMD5Password(md5Salt));
            return;
        }
        if (secret.isPresent() && secret.get() instanceof ScramSecret s) {
            scram = ScramServerExchange.forSecret(user, s);
        } else {
            scram = ScramServerExchange.failing(user, secret.isEmpty() ? "no such user"
                    : "the user has an md5 secret but proxy.auth.type is scram-sha-256");
        }
        step = Step.SCRAM_FIRST;
        ctx.writeAndFlush(new AuthenticationSASL(ScramServerExchange.MECHANISMS));
    }

    private void authenticationResponse(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != 'p') {
            throw ProtocolException.violation("expected an authentication response ('p'), got message type '"
                    + (char) frame.type() + "' during " + step);
        }
        switch (step) {
            case SCRAM_FIRST -> {
                SASLInitialResponse first = SASLInitialResponse.decode(frame.content().duplicate());
                step = Step.SCRAM_FINAL;
                ctx.writeAndFlush(new AuthenticationSASLContinue(scram.receiveClientFirst(first.mechanism(), first.data())));
            }
            case SCRAM_FINAL -> {
                SASLResponse last = SASLResponse.decode(frame.content().duplicate());
                byte[] serverFinal = scram.receiveClientFinal(last.data());
                ctx.write(new AuthenticationSASLFinal(serverFinal));
                authenticated(ctx, new ServerCredentials.Scram(scram.recoveredKeys()));
            }
            case MD5 -> {
                PasswordMessage password = PasswordMessage.decode(frame.content().duplicate());
                Md5Auth.verify(startup.user(), md5Secret, md5Salt, password.password());
                authenticated(ctx, new ServerCredentials.Md5(md5Secret));
            }
            default -> throw ProtocolException.violation("unexpected authentication response during " + step);
        }
    }

    private void authenticated(ChannelHandlerContext ctx, ServerCredentials credentials) {
        step = Step.CONNECTING;
        String user = startup.user();
        if (ADMIN_DATABASE.equals(database())) {
            AdminSession admin = new AdminSession(proxy, ctx.channel(), user);
            finish(ctx, Map.of("server_version", "15.0 (pgherd)", "server_encoding", "UTF8", "client_encoding", "UTF8",
                    "DateStyle", "ISO, MDY", "integer_datetimes", "on", "standard_conforming_strings", "on"), admin, 0, 0);
            return;
        }
        Pool pool = proxy.primaryPool(database(), user);
        if (pool.serverParameters() != null) {
            open(ctx, pool, credentials);
            return;
        }
        // The first client of a pool: log in to the server now, so its parameters can be reported and a
        // wrong database or role is refused at connection time, as PostgreSQL does.
        ctx.channel().config().setAutoRead(false);
        firstLogin(ctx, credentials, proxy.config().primaryFirst(), 0, null);
    }

    /**
     * Logs in to {@code nodes.get(i)} for the parameters to report, then opens the session. The primary
     * comes first; while it cannot be reached (a failover) the other nodes are asked in turn, so new
     * clients can connect and read while writes are held. An error a server gives for the login itself
     * (a wrong database or role) is reported as it is; when no node answers, the primary's error.
     *
     * @param first the primary's error, reported if no node answers
     */
    private void firstLogin(ChannelHandlerContext ctx, ServerCredentials credentials, List<ProxyConfig.Node> nodes, int i,
                            ErrorResponse first) {
        Pool pool = proxy.pool(nodes.get(i), database(), startup.user());
        if (pool.serverParameters() != null) {
            ctx.channel().config().setAutoRead(true);
            open(ctx, pool, credentials);
            return;
        }
        pool.borrow(ctx.channel().eventLoop(), credentials, server -> {
            pool.requite(server);
            ctx.channel().config().setAutoRead(true);
            if (first != null) {
                log.info("{} logged in to {} for its session's parameters: the primary cannot be reached ({})",
                        startup.user(), nodes.get(i).name(), first.message());
            }
            open(ctx, pool, credentials);
        }, error -> {
            boolean unreachable = SqlState.serverUnavailable(error.code());
            if (unreachable && i + 1 < nodes.size()) {
                firstLogin(ctx, credentials, nodes, i + 1, first == null ? error : first);
            } else {
                fail(ctx, unreachable && first != null ? first : error, "server login failed");
            }
        });
    }

    private void open(ChannelHandlerContext ctx, Pool pool, ServerCredentials credentials) {
        if (!ctx.channel().isActive()) {
            return;
        }
        StartupSettings asked;
        try {
            asked = StartupSettings.of(startup.parameters(), pool.serverParameters());
        } catch (IllegalArgumentException e) {
            fail(ctx, ErrorResponse.pgherdFatal(SqlState.INVALID_PARAMETER_VALUE, e.getMessage()), "invalid startup parameter");
            return;
        }
        Map<String, String> startupSettings = asked.settings();
        Map<String, String> reported = asked.reported();
        boolean sessionPooling = proxy.config().get(ProxyConfig.POOL_MODE) == ProxyConfig.PoolMode.SESSION;
        if (sessionPooling && ctx.channel().attr(ClientSession.FIXED_TARGET).get() != Route.Target.REPLICA
                && proxy.writes().isOpen()) {
            // Session pooling: the client's server is its own for the whole connection, so it is taken now
            // and the client told the server's process id and cancel key, as a direct client is.
            Pool primary = proxy.primaryPool(database(), startup.user());
            ctx.channel().config().setAutoRead(false);
            sessionServer = primary.borrow(ctx.channel().eventLoop(), credentials, server -> {
                sessionServer = null;
                ctx.channel().config().setAutoRead(true);
                if (!ctx.channel().isActive()) {
                    primary.requite(server);
                    return;
                }
                openSession(ctx, credentials, startupSettings, reported, server, primary);
            }, error -> {
                sessionServer = null;
                // Logged in all the same: the client's first statement waits for a server (or fails) as it
                // would have, only under a process id of the proxy's.
                ctx.channel().config().setAutoRead(true);
                openSession(ctx, credentials, startupSettings, reported, null, null);
            });
            return;
        }
        openSession(ctx, credentials, startupSettings, reported, null, null);
    }

    /**
     * Registers the client and opens its session. With a {@code reserved} server (session pooling) the
     * client gets that server's process id and cancel key, unless another client already has the pid.
     */
    private void openSession(ChannelHandlerContext ctx, ServerCredentials credentials, Map<String, String> startupSettings,
                             Map<String, String> reported, ServerConnection reserved, Pool reservedPool) {
        if (!ctx.channel().isActive()) {
            if (reserved != null) {
                reservedPool.requite(reserved);
            }
            return;
        }
        BackendKeyData own = reserved == null ? null : reserved.backendKey();
        ClientSession session = null;
        int pid = 0;
        int secretKey = 0;
        if (own != null) {
            pid = own.processId();
            secretKey = own.secretKey();
            session = new ClientSession(proxy, ctx.channel(), startup.user(), database(), credentials, startupSettings,
                    pid, secretKey);
            if (!proxy.registerAs(pid, session)) {
                session = null;
            }
        }
        if (session == null) {
            int key = ThreadLocalRandom.current().nextInt();
            ClientSession[] made = new ClientSession[1];
            pid = proxy.register(id -> {
                made[0] = new ClientSession(proxy, ctx.channel(), startup.user(), database(), credentials,
                        startupSettings, id, key);
                return made[0];
            });
            session = made[0];
            secretKey = key;
        }
        if (reserved != null) {
            session.reserve(reserved, reservedPool);
        }
        finish(ctx, reported, session, pid, secretKey);
    }

    private void finish(ChannelHandlerContext ctx, Map<String, String> parameters, ChannelInboundHandlerAdapter next,
                        int processId, int secretKey) {
        step = Step.DONE;
        proxy.stats().clientsAccepted.increment();
        List<PgMessage> messages = new ArrayList<>();
        messages.add(AuthenticationOk.INSTANCE);
        parameters.forEach((k, v) -> messages.add(new ParameterStatus(k, v)));
        messages.add(new BackendKeyData(processId, secretKey));
        messages.add(ReadyForQuery.IDLE);
        messages.forEach(ctx::write);
        ctx.pipeline().replace(this, "session", next);
        ctx.flush();
    }

    private String database() {
        return startup.database();
    }

    private void fail(ChannelHandlerContext ctx, ErrorResponse error, String reason) {
        proxy.stats().error(error.code());
        proxy.stats().clientClosed(reason);
        ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }
}

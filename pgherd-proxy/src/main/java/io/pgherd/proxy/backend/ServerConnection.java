package io.pgherd.proxy.backend;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgherd.protocol.AuthenticationMD5Password;
import io.pgherd.protocol.AuthenticationOk;
import io.pgherd.protocol.AuthenticationRequest;
import io.pgherd.protocol.AuthenticationSASL;
import io.pgherd.protocol.AuthenticationSASLContinue;
import io.pgherd.protocol.AuthenticationSASLFinal;
import io.pgherd.protocol.AuthenticationCleartextPassword;
import io.pgherd.protocol.BackendKeyData;
import io.pgherd.protocol.BackendMessage;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.FailureText;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.FrameEncoder;
import io.pgherd.protocol.ParameterStatus;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.PasswordMessage;
import io.pgherd.protocol.PgFrameDecoder;
import io.pgherd.protocol.PgMessageEncoder;
import io.pgherd.protocol.SASLInitialResponse;
import io.pgherd.protocol.SASLResponse;
import io.pgherd.protocol.SqlState;
import io.pgherd.protocol.StartupMessage;
import io.pgherd.proxy.auth.Md5Auth;
import io.pgherd.proxy.auth.ScramClientExchange;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.net.Transport;

/**
 * One connection from the proxy to a PostgreSQL server, logged in as one user to one database. It
 * remembers what the server session holds (parameters it reported, protocol-level prepared
 * statements, session state) so the sessions it serves can reuse it without asking.
 *
 * <p>Its channel lives on one event loop; the fields below are touched only there, or by the
 * session holding the connection on its own loop while it holds it (the pool hands the connection
 * over with a happens-before edge). {@link #listener} is volatile because it is swapped on hand-over.
 */
public final class ServerConnection {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Lifecycle states, as {@code SHOW SERVERS} shows them. */
    public enum State { LOGIN, IDLE, ACTIVE, CLOSED }

    private final long id = IDS.incrementAndGet();
    private final ProxyConfig.Node node;
    private final PoolKey key;
    private final Channel channel;
    private final long createdNanos = System.nanoTime();
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Boolean> prepared = new LinkedHashMap<>(16, 0.75f, true);
    private volatile State state = State.LOGIN;
    private volatile ServerListener listener;
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile String closeReason;
    private BackendKeyData backendKey;
    private SessionState sessionState = SessionState.EMPTY;
    private Object unnamedStatement;

    private ServerConnection(ProxyConfig.Node node, PoolKey key, Channel channel) {
        this.node = node;
        this.key = key;
        this.channel = channel;
    }

    /**
     * A connection over {@code channel}, taken as logged in already: for driving the proxy's side of a
     * server session over an {@code EmbeddedChannel} in tests, where frames written are read back as written.
     */
    public static ServerConnection loggedIn(ProxyConfig.Node node, PoolKey key, Channel channel) {
        return new ServerConnection(node, key, channel);
    }

    /**
     * Connects to {@code node} on {@code loop} and logs in as {@code key.user()} to {@code key.database()}.
     * The promise completes with the logged-in connection, or fails with a {@link ServerLoginException}
     * carrying the server's error or what went wrong, within {@code timeoutMillis}.
     */
    public static Promise<ServerConnection> connect(EventLoop loop, ProxyConfig.Node node, PoolKey key,
                                                    ServerCredentials credentials, long timeoutMillis) {
        Promise<ServerConnection> promise = loop.newPromise();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(new ChannelInboundHandlerAdapter());
        ChannelFuture connected = bootstrap.connect(node.host(), node.port());
        Channel channel = connected.channel();
        ServerConnection server = new ServerConnection(node, key, channel);
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            if (promise.tryFailure(new ServerLoginException(SqlState.CONNECTION_FAILURE, "could not log in to " + node
                    + " within " + timeoutMillis + " ms"))) {
                channel.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        promise.addListener(f -> timeout.cancel(false));
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(new ServerLoginException(SqlState.CONNECTION_FAILURE, "could not connect to " + node
                        + ": " + FailureText.describe(f.cause())));
                return;
            }
            channel.pipeline().addLast("frames", new PgFrameDecoder(Integer.MAX_VALUE));
            channel.pipeline().addLast("frameEncoder", FrameEncoder.INSTANCE);
            channel.pipeline().addLast("messageEncoder", PgMessageEncoder.INSTANCE);
            channel.pipeline().addLast("login", server.new Login(credentials, promise));
            // No application_name: a client that sent none sees '' (SHOW, pg_stat_activity, and after RESET)
            // as on a direct connection; one that sent a name has it set with its other settings.
            channel.writeAndFlush(new StartupMessage(Map.of("user", key.user(), "database", key.database())));
        });
        return promise;
    }

    public long id() {
        return id;
    }

    public ProxyConfig.Node node() {
        return node;
    }

    public PoolKey key() {
        return key;
    }

    public Channel channel() {
        return channel;
    }

    public State state() {
        return state;
    }

    public boolean isUsable() {
        return state != State.CLOSED && channel.isActive();
    }

    /** Parameters the server reported at login and since (ParameterStatus). */
    public Map<String, String> parameters() {
        return Map.copyOf(parameters);
    }

    /** The server's own cancel key, for forwarding a client's cancel request. */
    public BackendKeyData backendKey() {
        return backendKey;
    }

    public long ageNanos() {
        return System.nanoTime() - createdNanos;
    }

    public long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    public String closeReason() {
        return closeReason;
    }

    public SessionState sessionState() {
        return sessionState;
    }

    public void sessionState(SessionState state) {
        this.sessionState = state;
    }

    /** Whether the server has the protocol-level prepared statement {@code name} (and marks it recently used). */
    public boolean hasPrepared(String name) {
        return prepared.get(name) != null;
    }

    /**
     * Records that {@code name} is (being) prepared on the server.
     *
     * @return names to close on the server to stay within {@code limit}, least recently used first
     */
    public List<String> addPrepared(String name, int limit) {
        prepared.put(name, Boolean.TRUE);
        if (limit <= 0 || prepared.size() <= limit) {
            return List.of();
        }
        List<String> evicted = new java.util.ArrayList<>();
        var it = prepared.keySet().iterator();
        while (prepared.size() - evicted.size() > limit && it.hasNext()) {
            String oldest = it.next();
            if (!oldest.equals(name)) {
                evicted.add(oldest);
            }
        }
        evicted.forEach(prepared::remove);
        return evicted;
    }

    public void forgetPrepared(String name) {
        prepared.remove(name);
    }

    /**
     * Whose statement the server's unnamed prepared statement is (an object of the session that parsed
     * it, compared by identity); null when unknown or destroyed (by a simple Query, for one).
     */
    public Object unnamedStatement() {
        return unnamedStatement;
    }

    public void unnamedStatement(Object owner) {
        this.unnamedStatement = owner;
    }

    /** Forgets every prepared statement and session state (after {@code DISCARD ALL}). */
    public void forgetSession() {
        unnamedStatement = null;
        prepared.clear();
        sessionState = SessionState.EMPTY;
    }

    public int preparedCount() {
        return prepared.size();
    }

    /** Attaches the session this server now works for ({@code null} when idle in the pool). */
    public void attach(ServerListener next) {
        listener = next;
        state = next == null ? State.IDLE : State.ACTIVE;
        lastUsedNanos = System.nanoTime();
    }

    public ServerListener listener() {
        return listener;
    }

    /** Writes a frame or message to the server without flushing; the server takes ownership. */
    public void write(Object message) {
        channel.write(message, channel.voidPromise());
    }

    public void flush() {
        channel.flush();
    }

    /** Closes the connection, saying why (logged at DEBUG, shown by SHOW SERVERS, counted). */
    public void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        state = State.CLOSED;
        channel.close();
    }

    @Override
    public String toString() {
        return "server#" + id + "[" + key + " " + state + "]";
    }

    /** Handles the login exchange, then hands over to {@link Relay}. */
    private final class Login extends ChannelInboundHandlerAdapter {
        private final ServerCredentials credentials;
        private final Promise<ServerConnection> promise;
        private ScramClientExchange scram;

        Login(ServerCredentials credentials, Promise<ServerConnection> promise) {
            this.credentials = credentials;
            this.promise = promise;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            try {
                BackendMessage message = BackendMessage.decode(frame);
                if (message instanceof AuthenticationSASL sasl) {
                    if (!sasl.mechanisms().contains(ScramClientExchange.MECHANISM)) {
                        throw new ServerLoginException(SqlState.FEATURE_NOT_SUPPORTED, node + " offers SASL "
                                + sasl.mechanisms() + ", none of which pgherd speaks");
                    }
                    scram = scramFor(credentials);
                    ctx.writeAndFlush(new SASLInitialResponse(ScramClientExchange.MECHANISM, scram.clientFirst()));
                } else if (message instanceof AuthenticationSASLContinue c) {
                    ctx.writeAndFlush(new SASLResponse(scram.clientFinal(c.data())));
                } else if (message instanceof AuthenticationSASLFinal f) {
                    scram.verifyServerFinal(f.data());
                } else if (message instanceof AuthenticationMD5Password md5) {
                    ctx.writeAndFlush(new PasswordMessage(md5Response(credentials, md5.salt())));
                } else if (message instanceof AuthenticationCleartextPassword) {
                    if (!(credentials instanceof ServerCredentials.Password p)) {
                        throw new ServerLoginException(SqlState.INVALID_PASSWORD, node + " asks for a cleartext"
                                + " password, which the proxy does not hold for " + key.user());
                    }
                    ctx.writeAndFlush(new PasswordMessage(p.password()));
                } else if (message instanceof AuthenticationRequest other && !(other instanceof AuthenticationOk)) {
                    throw new ServerLoginException(SqlState.FEATURE_NOT_SUPPORTED,
                            node + " asks for an authentication method pgherd does not speak: " + other);
                } else if (message instanceof ParameterStatus p) {
                    parameters.put(p.name(), p.value());
                } else if (message instanceof BackendKeyData k) {
                    backendKey = k;
                } else if (message instanceof ErrorResponse e) {
                    throw new ServerLoginException(e);
                } else if (message instanceof ReadyForQuery) {
                    ctx.pipeline().replace(this, "relay", new Relay());
                    state = State.IDLE;
                    if (!promise.trySuccess(ServerConnection.this)) {
                        close("login finished after its deadline");
                    }
                }
            } catch (ServerLoginException e) {
                promise.tryFailure(e);
                ctx.close();
            } catch (RuntimeException e) {
                promise.tryFailure(new ServerLoginException(SqlState.CONNECTION_FAILURE, "login to " + node + " as "
                        + key.user() + " failed: " + FailureText.describe(e)));
                ctx.close();
            } finally {
                frame.release();
            }
        }

        private ScramClientExchange scramFor(ServerCredentials given) {
            if (given instanceof ServerCredentials.Scram s) {
                return ScramClientExchange.withKeys(s.keys());
            }
            if (given instanceof ServerCredentials.Password p) {
                return ScramClientExchange.withPassword(p.password());
            }
            throw new ServerLoginException(SqlState.INVALID_PASSWORD, node + " asks for SCRAM, but the proxy holds no"
                    + " SCRAM keys for " + key.user() + " (its secret is md5, or trust is configured)");
        }

        private String md5Response(ServerCredentials given, byte[] salt) {
            if (given instanceof ServerCredentials.Md5 m) {
                return Md5Auth.passwordMessage(m.secret(), salt);
            }
            if (given instanceof ServerCredentials.Password p) {
                return Md5Auth.passwordMessage(Md5Auth.secret(key.user(), p.password()), salt);
            }
            throw new ServerLoginException(SqlState.INVALID_PASSWORD, node + " asks for md5, but the proxy holds no md5"
                    + " secret for " + key.user() + " (store an md5 secret or make the server use SCRAM)");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            state = State.CLOSED;
            promise.tryFailure(new ServerLoginException(SqlState.CONNECTION_FAILURE, node + " closed the connection during login"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            promise.tryFailure(new ServerLoginException(SqlState.CONNECTION_FAILURE, "login to " + node + " failed: "
                    + FailureText.describe(cause)));
            ctx.close();
        }
    }

    /** After login: passes every message to the session holding the connection, or handles it while idle. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            ServerListener target = listener;
            if (target == null) {
                idleMessage(frame);
            } else if (target.eventLoop().inEventLoop()) {
                target.onServerFrame(ServerConnection.this, frame);
            } else {
                target.eventLoop().execute(() -> target.onServerFrame(ServerConnection.this, frame));
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ServerListener target = listener;
            if (target == null) {
                return;
            }
            if (target.eventLoop().inEventLoop()) {
                target.onServerReadComplete(ServerConnection.this);
            } else {
                target.eventLoop().execute(() -> target.onServerReadComplete(ServerConnection.this));
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ServerListener target = listener;
            boolean writable = ctx.channel().isWritable();
            if (target != null) {
                target.eventLoop().execute(() -> target.onServerWritabilityChanged(ServerConnection.this, writable));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            state = State.CLOSED;
            String reason = closeReason != null ? closeReason : "server closed the connection";
            closeReason = reason;
            log.debug("{}: closed: {}", ServerConnection.this, reason);
            ServerListener target = listener;
            if (target != null) {
                target.eventLoop().execute(() -> target.onServerClosed(ServerConnection.this, reason));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close("I/O error: " + FailureText.describe(cause));
        }

        private void idleMessage(Frame frame) {
            try {
                switch (frame.type()) {
                    case 'S' -> {
                        ParameterStatus p = ParameterStatus.decode(frame.content().duplicate());
                        parameters.put(p.name(), p.value());
                    }
                    case 'E' -> closeReason = "server error while idle: "
                            + ErrorResponse.decode(frame.content().duplicate()).message();
                    default -> {
                        // Notices and stray notifications to an idle connection concern nobody.
                    }
                }
            } finally {
                frame.release();
            }
        }
    }

}

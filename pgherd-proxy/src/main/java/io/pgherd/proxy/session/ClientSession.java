package io.pgherd.proxy.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.pgherd.protocol.DataRow;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.NoticeResponse;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.ProtocolException;
import io.pgherd.protocol.Query;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.SqlState;
import io.pgherd.proxy.Proxy;
import io.pgherd.proxy.ProxyConfig;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.backend.ServerConnection;
import io.pgherd.proxy.backend.ServerCredentials;
import io.pgherd.proxy.backend.ServerListener;
import io.pgherd.proxy.sql.SessionEffects;

/**
 * One authenticated client: borrows a server connection when work arrives, forwards the work and
 * the answers, and gives the server back at the end of each transaction (transaction mode) or when
 * the client leaves (session mode). Settings and SQL prepared statements follow the client from
 * server to server ({@link SessionState}); protocol-level prepared statements are renamed and
 * re-prepared where missing ({@link ServerLink}); state that cannot move pins the client.
 *
 * <p>Everything here runs on the client channel's event loop. Buffer ownership: every frame read
 * from the client is forwarded, queued (and released if dropped) or released.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ServerListener, Proxy.ClientHandle {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final int MAX_REPLAYS = 2;
    private static final int MAX_CUSTOM_SETTINGS = 100;
    /** Message types a client may send after startup (Terminate aside). */
    private static final String FRONTEND_TYPES = "BCdcfDEHFPQS";

    private enum Phase { IDLE, WAITING, LINKED, CLOSED }

    private final Proxy proxy;
    private final Channel channel;
    private final String user;
    private final String database;
    private final Pool pool;
    private final ServerCredentials credentials;
    private final int processId;
    private final int secretKey;
    private final long connectedAt = System.currentTimeMillis();
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    private final List<Frame> replay = new ArrayList<>();
    private final Map<String, ClientStatement> statements = new HashMap<>();
    private final EnumSet<SessionEffects.Pin> pins = EnumSet.noneOf(SessionEffects.Pin.class);
    /** Custom settings (a.b) the client set or reset: capturing session state must ask for them by name. */
    private final Set<String> customSettings = new java.util.LinkedHashSet<>();
    private Phase phase = Phase.IDLE;
    private ServerLink link;
    private Pool.Waiter waiter;
    private SessionState desired;
    /** The settings of the client's startup message: RESET and RESET ALL go back to these, as on PostgreSQL. */
    private final SessionState startup;
    private boolean dirty;
    private boolean answered;
    private boolean discardUntilSync;
    /** The answer to the client's next request: its server died while it sat idle in a transaction. */
    private ErrorResponse deferredError;
    private int replays;
    private String serverFatal;
    private byte lastStatus = 'I';
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String activity = "idle";

    public ClientSession(Proxy proxy, Channel channel, String user, String database, Pool pool,
                         ServerCredentials credentials, Map<String, String> startupSettings, int processId, int secretKey) {
        this.proxy = proxy;
        this.channel = channel;
        this.user = user;
        this.database = database;
        this.pool = pool;
        this.credentials = credentials;
        this.processId = processId;
        this.secretKey = secretKey;
        this.desired = SessionState.ofSettings(startupSettings);
        this.startup = desired;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        lastActivityNanos = System.nanoTime();
        proxy.stats().bytesFromClients.add(frame.length() + 1L);
        if (frame.type() == 'X') {
            frame.release();
            close("client sent Terminate");
            return;
        }
        if (FRONTEND_TYPES.indexOf(frame.type()) < 0) {
            // Never pass it on: the server would die of it with a FATAL error the client never sees.
            byte type = frame.type();
            frame.release();
            exceptionCaught(ctx, ProtocolException.violation("invalid frontend message type " + (type & 0xFF)
                    + (type >= 32 && type < 127 ? " ('" + (char) type + "')" : "")));
            return;
        }
        if (deferredError != null) {
            write(Frames.of(deferredError, channel.alloc()));
            deferredError = null;
            discardUntilSync = frame.type() != 'Q' && frame.type() != 'F';
            if (!discardUntilSync) {
                write(Frames.of(ReadyForQuery.IDLE, channel.alloc()));
                channel.flush();
                frame.release();
                return;
            }
        }
        if (discardUntilSync) {
            if (frame.type() == 'S') {
                discardUntilSync = false;
                write(Frames.of(ReadyForQuery.IDLE, channel.alloc()));
                channel.flush();
            }
            frame.release();
            return;
        }
        if (frame.type() == 'Q' || frame.type() == 'S') {
            proxy.stats().queries.increment();
        }
        analyze(frame);
        if (phase == Phase.LINKED) {
            send(frame);
        } else {
            pending.add(frame);
            if (phase == Phase.IDLE) {
                borrow();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (link != null) {
            link.server().flush();
        }
        channel.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (link != null) {
            link.server().channel().config().setAutoRead(channel.isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close("client closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolException e) {
            proxy.stats().error(e.sqlState());
            channel.writeAndFlush(Frames.of(e.toErrorResponse(), channel.alloc())).addListener(ChannelFutureListener.CLOSE);
            close("protocol violation: " + e.getMessage());
        } else {
            log.debug("client {}: {}", processId, cause.toString());
            close("I/O error: " + cause.getMessage());
        }
    }

    private void analyze(Frame frame) {
        String sql;
        if (frame.type() == Query.TYPE) {
            sql = Query.decode(frame.content().duplicate()).query();
        } else if (frame.type() == Parse.TYPE) {
            sql = Parse.decode(frame.content().duplicate()).query();
        } else {
            return;
        }
        activity = sql.length() > 200 ? sql.substring(0, 200) : sql;
        SessionEffects effects = SessionEffects.of(sql);
        if (effects == SessionEffects.NONE) {
            return;
        }
        dirty |= effects.changesState();
        if (effects.changesState() && customSettings.size() < MAX_CUSTOM_SETTINGS) {
            customSettings.addAll(SessionEffects.customSettings(sql));
        }
        pins.addAll(effects.pins());
    }

    // ---------------------------------------------------------------- borrowing and giving back

    private void borrow() {
        phase = Phase.WAITING;
        if (!proxy.paused()) {
            // The common case costs no task hop: an idle server on this loop is linked before this returns.
            requestServer();
        } else {
            proxy.whenResumed(() -> eventLoop().execute(() -> {
                if (phase == Phase.WAITING && waiter == null) {
                    requestServer();
                }
            }));
        }
        if (phase == Phase.WAITING) {
            // Nothing more is read from the client until a server takes what it sent.
            channel.config().setAutoRead(false);
        }
    }

    /** Asks the pool for a server; the pool may hand one over before this returns. */
    private void requestServer() {
        Pool.Waiter pendingRequest = pool.borrow(eventLoop(), credentials, this::link, this::borrowFailed);
        if (phase == Phase.WAITING && link == null) {
            waiter = pendingRequest;
        }
    }

    private void link(ServerConnection server) {
        waiter = null;
        if (phase != Phase.WAITING) {
            pool.requite(server);
            return;
        }
        phase = Phase.LINKED;
        server.attach(this);
        if (!server.channel().config().isAutoRead()) {
            server.channel().config().setAutoRead(true);
        }
        answered = false;
        link = new ServerLink(server, this::toClient, statements, proxy.statements(),
                proxy.config().get(ProxyConfig.MAX_PREPARED_STATEMENTS), channel.alloc());
        String restore = desired.changesFrom(server.sessionState());
        if (restore != null) {
            proxy.stats().serverStateRestores.increment();
            SessionState target = desired;
            link.inject(restore, false, null, () -> server.sessionState(target), () -> notice(
                    "could not restore session settings on server connection " + server.id()));
        }
        while (!pending.isEmpty()) {
            send(pending.poll());
        }
        server.flush();
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    private void borrowFailed(ErrorResponse error) {
        waiter = null;
        if (phase != Phase.WAITING) {
            return;
        }
        phase = Phase.IDLE;
        boolean fatal = "FATAL".equals(error.severity());
        boolean synced = pending.stream().anyMatch(f -> f.type() == 'Q' || f.type() == 'S' || f.type() == 'F');
        pending.forEach(Frame::release);
        pending.clear();
        proxy.stats().error(error.code());
        write(Frames.of(error, channel.alloc()));
        if (fatal) {
            channel.flush();
            close("could not get a server connection: " + error.message());
            channel.close();
            return;
        }
        if (synced) {
            write(Frames.of(ReadyForQuery.IDLE, channel.alloc()));
        } else {
            discardUntilSync = true;
        }
        channel.flush();
        channel.config().setAutoRead(true);
    }

    private void send(Frame frame) {
        if (!answered && replays < MAX_REPLAYS) {
            replay.add(frame.retainedDuplicate());
        }
        link.send(frame);
    }

    /** Gives the server back if the client's transaction is over and nothing ties the client to it. */
    private void maybeRelease() {
        if (phase != Phase.LINKED || !link.isQuiet() || lastStatus != 'I' || !pins.isEmpty()) {
            return;
        }
        if (proxy.config().get(ProxyConfig.POOL_MODE) != ProxyConfig.PoolMode.TRANSACTION) {
            return;
        }
        if (dirty) {
            dirty = false;
            captureState();
            return;
        }
        ServerConnection server = link.server();
        link = null;
        phase = Phase.IDLE;
        clearReplay();
        replays = 0;
        proxy.stats().transactions.increment();
        activity = "idle";
        pool.requite(server);
    }

    /** Asks the server what session state the last transaction left, then gives the server back. */
    private void captureState() {
        ServerConnection server = link.server();
        List<String[]> rows = new ArrayList<>();
        link.inject(SessionState.captureSql(customSettings), false, frame -> {
            if (frame.type() == DataRow.TYPE) {
                DataRow row = DataRow.decode(frame.content().duplicate());
                String[] values = new String[row.values().size()];
                for (int i = 0; i < values.length; i++) {
                    byte[] v = row.values().get(i);
                    values[i] = v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
                }
                rows.add(values);
            }
        }, () -> {
            SessionState captured = SessionState.fromRows(rows);
            server.sessionState(captured);
            // A startup setting missing from the capture was reset: on the server to the proxy's own
            // login value, for the client to its startup value, which the next link restores.
            Map<String, String> settings = new LinkedHashMap<>(startup.settings());
            settings.putAll(captured.settings());
            desired = new SessionState(settings, captured.prepared());
        }, null);
        server.flush();
    }

    // ---------------------------------------------------------------- server side

    @Override
    public void onServerFrame(ServerConnection server, Frame frame) {
        if (link == null || link.server() != server) {
            frame.release();
            return;
        }
        proxy.stats().bytesToClients.add(frame.length() + 1L);
        byte type = frame.type();
        if (type == 'E' && isFatal(frame)) {
            // A dying server (terminated, shutting down) closes next; its close decides whether the work
            // is replayed elsewhere or the client gets one ERROR, and the client's connection stays.
            serverFatal = ErrorResponse.decode(frame.content().duplicate()).message();
            frame.release();
            return;
        }
        if (type == 'Z') {
            lastStatus = frame.content().getByte(frame.content().readerIndex());
        } else if (type == 'C') {
            afterCommand(server, frame);
        }
        if (!link.accept(frame) && type == 'E') {
            log.debug("client {}: unexpected error from {}", processId, server);
        }
        if (type == 'Z') {
            // The end of an answer: flush now, the server may go back to the pool before its read completes.
            channel.flush();
            maybeRelease();
        }
    }

    @Override
    public void onServerReadComplete(ServerConnection server) {
        channel.flush();
    }

    @Override
    public void onServerWritabilityChanged(ServerConnection server, boolean writable) {
        if (link != null && link.server() == server) {
            channel.config().setAutoRead(writable);
        }
    }

    @Override
    public void onServerClosed(ServerConnection server, String reason) {
        if (link == null || link.server() != server) {
            return;
        }
        boolean outstanding = !link.isQuiet();
        link.abandon();
        link = null;
        pool.discard(server);
        if (phase == Phase.CLOSED) {
            return;
        }
        if (!answered && replays < MAX_REPLAYS && !replay.isEmpty() && pins.isEmpty()) {
            // Nothing reached the client yet: run the same work on another connection, unnoticed.
            replays++;
            serverFatal = null;
            proxy.stats().serverReplays.increment();
            log.info("client {}: server connection {} closed before answering ({}); running the work on another",
                    processId, server.id(), reason);
            pending.addAll(replay);
            replay.clear();
            phase = Phase.WAITING;
            requestServer();
            return;
        }
        clearReplay();
        pins.clear();
        phase = Phase.IDLE;
        lastStatus = 'I';
        String why = serverFatal != null ? serverFatal : reason;
        serverFatal = null;
        ErrorResponse error = ErrorResponse.pgherdError(SqlState.CONNECTION_FAILURE, "lost the server connection to "
                + server.node().name() + " during the transaction (" + why + "); the transaction was rolled back");
        proxy.stats().error(error.code());
        channel.config().setAutoRead(true);
        if (!outstanding) {
            // The client sits idle in its transaction: an answer now would be read as the answer to
            // its next request, so that request gets the error instead.
            deferredError = error;
            return;
        }
        write(Frames.of(error, channel.alloc()));
        write(Frames.of(ReadyForQuery.IDLE, channel.alloc()));
        channel.flush();
    }

    /**
     * Once DISCARD ALL or DEALLOCATE ALL has run (not when it failed, and whether or not the client sent
     * it as a prepared statement itself): the server has no prepared statements left, the client none
     * of its statement names, and after DISCARD ALL nothing pins the client.
     */
    private void afterCommand(ServerConnection server, Frame frame) {
        io.netty.buffer.ByteBuf tag = frame.content();
        if (tag.readableBytes() < 12 || tag.getByte(tag.readerIndex()) != 'D') {
            return;
        }
        String command = tag.toString(tag.readerIndex(), tag.readableBytes() - 1, java.nio.charset.StandardCharsets.US_ASCII);
        boolean discardAll = command.equals("DISCARD ALL");
        if (discardAll || command.equals("DEALLOCATE ALL")) {
            statements.clear();
            server.forgetSession();
            if (discardAll) {
                pins.clear();
            }
        }
    }

    private void toClient(Frame frame) {
        answered = true;
        if (frame.type() == 'E') {
            proxy.stats().error(ErrorResponse.decode(frame.content().duplicate()).code());
        }
        channel.write(frame, channel.voidPromise());
    }

    private void write(Frame frame) {
        channel.write(frame, channel.voidPromise());
    }

    private void notice(String message) {
        Map<Byte, String> fields = new LinkedHashMap<>();
        fields.put(NoticeResponse.SEVERITY, "WARNING");
        fields.put(NoticeResponse.SEVERITY_NON_LOCALIZED, "WARNING");
        fields.put(NoticeResponse.CODE, "01000");
        fields.put(NoticeResponse.MESSAGE, ErrorResponse.PGHERD_PREFIX + message);
        write(Frames.of(new NoticeResponse(fields), channel.alloc()));
    }

    private static boolean isFatal(Frame frame) {
        String severity = ErrorResponse.decode(frame.content().duplicate()).severity();
        return "FATAL".equals(severity) || "PANIC".equals(severity);
    }

    // ---------------------------------------------------------------- leaving

    /** Ends the session: the server goes back to the pool if it is clean, else it is closed. */
    private void close(String reason) {
        if (phase == Phase.CLOSED) {
            return;
        }
        Phase was = phase;
        phase = Phase.CLOSED;
        proxy.unregister(processId);
        proxy.stats().clientClosed(reason.startsWith("protocol violation") ? "protocol violation"
                : reason.startsWith("I/O error") ? "I/O error" : reason);
        log.debug("client {} ({}@{}): closed: {}", processId, user, database, reason);
        if (waiter != null) {
            waiter.cancel();
            waiter = null;
        }
        pending.forEach(Frame::release);
        pending.clear();
        clearReplay();
        if (was == Phase.LINKED && link != null) {
            ServerConnection server = link.server();
            boolean idle = link.isQuiet() && lastStatus == 'I';
            boolean transactionMode = proxy.config().get(ProxyConfig.POOL_MODE) == ProxyConfig.PoolMode.TRANSACTION;
            link = null;
            if (idle && transactionMode && pins.isEmpty() && !dirty) {
                pool.requite(server);
            } else if (idle && !transactionMode) {
                // DISCARD ALL also drops temporary tables, advisory locks, LISTENs and prepared statements.
                ServerReset.resetAndRequite(server, pool, proxy.config().get(ProxyConfig.SERVER_RESET_QUERY));
            } else {
                server.close(pins.isEmpty() ? "client left in the middle of a transaction" : "pinned client left");
                pool.discard(server);
            }
        }
        channel.close();
    }

    private void clearReplay() {
        replay.forEach(Frame::release);
        replay.clear();
    }

    // ---------------------------------------------------------------- for the admin console and cancel requests

    @Override
    public int processId() {
        return processId;
    }

    @Override
    public int secretKey() {
        return secretKey;
    }

    @Override
    public void cancel() {
        eventLoop().execute(() -> {
            if (link != null) {
                CancelForwarder.forward(link.server());
            } else if (waiter != null) {
                waiter.cancel();
                waiter = null;
                borrowFailed(ErrorResponse.pgherdError("57014", "canceling statement due to user request"
                        + " (it was waiting for a server connection)"));
            }
        });
    }

    @Override
    public void kill(String why) {
        eventLoop().execute(() -> {
            channel.writeAndFlush(Frames.of(ErrorResponse.pgherdFatal(SqlState.ADMIN_SHUTDOWN, why), channel.alloc()));
            close("killed by admin");
        });
    }

    @Override
    public String pinReason() {
        Set<SessionEffects.Pin> now = EnumSet.copyOf(pins.isEmpty() ? EnumSet.noneOf(SessionEffects.Pin.class) : pins);
        return now.stream().map(SessionEffects.Pin::reason).collect(Collectors.joining(", "));
    }

    @Override
    public long bufferedBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public List<String> describe() {
        ServerConnection server = link == null ? null : link.server();
        return List.of(Integer.toString(processId), user, database, phase.name().toLowerCase(java.util.Locale.ROOT),
                String.valueOf(channel.remoteAddress()), java.time.Instant.ofEpochMilli(connectedAt).toString(),
                Long.toString((System.nanoTime() - lastActivityNanos) / 1_000_000),
                server == null ? "" : Long.toString(server.id()), pinReason(), activity);
    }

    /** Milliseconds since the client last sent something, and whether it is outside any transaction. */
    public boolean idleLongerThan(long nanos) {
        return phase == Phase.IDLE && System.nanoTime() - lastActivityNanos > nanos;
    }

    /** Closes the client for being idle too long (client_idle_timeout). */
    public void closeIdle() {
        eventLoop().execute(() -> {
            if (phase != Phase.IDLE) {
                return;
            }
            channel.writeAndFlush(Frames.of(ErrorResponse.pgherdFatal("57P05", "client_idle_timeout: closing an idle"
                    + " client connection"), channel.alloc()));
            close("client_idle_timeout");
        });
    }
}

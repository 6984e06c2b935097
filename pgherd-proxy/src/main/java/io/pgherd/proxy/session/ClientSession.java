package io.pgherd.proxy.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.pgherd.common.config.Key;
import io.pgherd.protocol.DataRow;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.NoticeResponse;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.ProtocolException;
import io.pgherd.protocol.Query;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.SqlState;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.backend.ServerConnection;
import io.pgherd.proxy.backend.ServerCredentials;
import io.pgherd.proxy.backend.ServerListener;
import io.pgherd.proxy.backend.SessionState;
import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.route.Route;
import io.pgherd.proxy.route.StatementRouter;
import io.pgherd.proxy.sql.DatabaseDdl;
import io.pgherd.proxy.sql.SessionEffects;
import io.pgherd.proxy.topology.Lsn;
import io.pgherd.proxy.topology.NodeState;
import io.pgherd.proxy.topology.Topology;

/**
 * One authenticated client: borrows a server connection when work arrives, forwards the work and
 * the answers, and gives the server back at the end of each transaction (transaction mode) or when
 * the client leaves (session mode). Settings and SQL prepared statements follow the client from
 * server to server ({@link SessionState}); protocol-level prepared statements are renamed and
 * re-prepared where missing ({@link ServerLink}); state that cannot move pins the client.
 *
 * <p>Routing: outside a transaction, work is gathered up to a point where the client waits for
 * answers (a Query, a Sync) and then sent to one node as a whole: to a replica only when the
 * {@link StatementRouter} proves every statement in it read-only, else to the primary. A read-only
 * transaction goes wholly to one replica; any other transaction wholly to the primary. Reads honour
 * the session's consistency mode through a causal token (a primary WAL position at or after the
 * client's last commit). A replica that refuses a statement it cannot run (25006: a write; 0A000:
 * an unlogged relation, a serializable transaction) before anything reached the client has it run
 * again on the primary, as has a replica that lacks the client's database yet (3D000 at login); a
 * replica that fails takes no more work until a health check passes. A server that dies under a
 * client is handled as {@link ServerLoss} says.
 *
 * <p>Everything here runs on the client channel's event loop. Buffer ownership: every frame read
 * from the client is forwarded, queued (and released if dropped) or released.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ServerListener, ClientHandle {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final int MAX_REPLAYS = 2;
    private static final int MAX_CUSTOM_SETTINGS = 100;
    /** Message types a client may send after startup (Terminate aside). */
    private static final String FRONTEND_TYPES = "BCdcfDEHFPQS";

    private enum Phase { IDLE, WAITING, LINKED, CLOSED }

    /** Set on the channels of the extra listen ports bound to one target. */
    public static final io.netty.util.AttributeKey<Route.Target> FIXED_TARGET =
            io.netty.util.AttributeKey.valueOf("pgherd.fixedTarget");
    private static final int MAX_FAILOVERS = 3;
    private static final long CATCH_UP_RETRY_MICROS = 1000;
    private static final long HOLD_RETRY_MILLIS = 50;
    /** Replica answers held back (so a 25006 can still be retried unseen) before giving up on the retry. */
    private static final int MAX_HELD = 64;
    private static final String HEADER_TYPES = "12tnTSNK";

    private final SessionContext proxy;
    private final Channel channel;
    private final String user;
    private final String database;
    private final ServerCredentials credentials;
    private final Route.Target fixedTarget;
    private final int processId;
    private final int secretKey;
    private final long connectedAt = System.currentTimeMillis();
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    private final List<Frame> replay = new ArrayList<>();
    private final Map<String, ClientStatement> statements = new HashMap<>();
    private final EnumSet<SessionEffects.Pin> pins = EnumSet.noneOf(SessionEffects.Pin.class);
    /** Custom settings (a.b) the client set or reset: capturing session state must ask for them by name. */
    private final Set<String> customSettings = new LinkedHashSet<>();
    private Phase phase = Phase.IDLE;
    private ServerLink link;
    private Pool.Waiter waiter;
    private SessionState desired;
    /** The settings of the client's startup message: RESET and RESET ALL go back to these, as on PostgreSQL. */
    private final SessionState startup;
    private boolean dirty;
    /** Whether the frame analyze() just looked at may change session state (applied to {@link #dirty} when it is sent). */
    private boolean analyzedChangesState;
    /** Frames waiting in {@link #pending} that may change session state once they run. */
    private final Set<Frame> stateChanging = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean answered;
    private boolean discardUntilSync;
    /** The answer to the client's next request: its server died while it sat idle in a transaction. */
    private ErrorResponse deferredError;
    private int replays;
    /** The FATAL error a dying server sent before it closed (null: none). */
    private ErrorResponse serverFatal;
    /** Frames waiting in {@link #pending} that call pg_terminate_backend (see {@link #mayEndOwnBackend}). */
    private final Set<Frame> endingBackend = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Work sent to the link may end its own backend, until the link is quiet again: never run again elsewhere. */
    private boolean mayEndOwnBackend;
    /** Whether the frame analyze() just looked at calls pg_terminate_backend. */
    private boolean analyzedEndsBackend;
    private byte lastStatus = 'I';
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile String activity = "idle";

    // Routing.
    /** The pool and node of the link (or of the borrow under way). */
    private Pool targetPool;
    private NodeState targetNode;
    private boolean targetRead;
    private Route targetRoute;
    /** How many frames at the head of {@link #pending} the decision covered (a read link takes only those). */
    private int decided;
    /** Frames in {@link #pending} after which the client waits for answers (Query, Sync, FunctionCall, Flush). */
    private int pendingSyncPoints;
    private long pendingBytes;
    /** Whether the link runs a read-only transaction (everything until it ends goes there). */
    private boolean readTransaction;
    /** Whether the link's work may still be retried on the primary if the replica refuses it as a write. */
    private boolean guardWrites;
    private boolean retryOnPrimary;
    /**
     * Whether the retry's statements are remembered as writes (25006). A 0A000 is not: it may come of
     * the session's own isolation default, and an unlogged relation is in the next catalog anyway.
     */
    private boolean retryLearns;
    /** The client's work on the link is over and the proxy reads back the session state: what comes now is the next unit. */
    private boolean capturing;
    private final List<Frame> held = new ArrayList<>();
    /** The next decision goes to the primary for this reason (a retry). */
    private Route.Reason forced;
    /** Work other than a read ran on the primary since the last causal token. */
    private boolean wrote;
    private boolean schemaChanged;
    /** The WAL position the client's reads must see (0: none yet). */
    private long causalToken;
    /** Whether the causal token is unknown (the primary's position could not be read): reads use the primary. */
    private boolean tokenUnknown;
    private boolean positionPending;
    /** A SHOW pgherd.causal_token in pending: the next decision reads a fresh position first. */
    private boolean tokenShown;
    /** The position a strongly consistent read asked for, valid for the decision under way (-1: none). */
    private long strongPosition = -1;
    private long catchUpDeadline;
    /** The position the link's server must have replayed before the work is sent (0: none). */
    private long catchUpTo;
    /**
     * The link's server is being made ready (its session state restored, its replay position read):
     * the client's work waits in {@link #pending}, so that it never runs where that failed.
     */
    private boolean preparing;
    private int failovers;
    /** Waiting for the write gate to open (a followed cluster without a confirmed primary): which wait is current. */
    private boolean holding;
    private int holdToken;
    private Runnable holdWaiter;
    /** When the held work gives up (System.nanoTime(); 0: not held since it last reached a server). */
    private long holdDeadline;
    private String routeSetting = "auto";
    /** The server taken at login in session pooling, until the first work links it (else null). */
    private ServerConnection reserved;
    private Pool reservedPool;
    private ProxyConfig.Consistency consistencySetting;

    public ClientSession(SessionContext proxy, Channel channel, String user, String database,
                         ServerCredentials credentials, Map<String, String> startupSettings, int processId, int secretKey) {
        this.proxy = proxy;
        this.channel = channel;
        this.user = user;
        this.database = database;
        this.credentials = credentials;
        this.fixedTarget = channel.hasAttr(FIXED_TARGET) ? channel.attr(FIXED_TARGET).get() : null;
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
        frame = analyze(frame);
        if (frame == null) {
            return; // answered by the proxy itself
        }
        boolean changesState = analyzedChangesState;
        analyzedChangesState = false;
        if (analyzedEndsBackend) {
            analyzedEndsBackend = false;
            endingBackend.add(frame);
        }
        if (phase == Phase.LINKED && !preparing && !holdsForNextUnit()) {
            if (targetNode != null && targetNode.isPrimary()) {
                wrote = true;
            }
            dirty |= changesState;
            send(frame);
            return;
        }
        if (changesState) {
            // Counts once it runs: a state capture in between must not consume it.
            stateChanging.add(frame);
        }
        pending.add(frame);
        pendingBytes += frame.length();
        byte type = frame.type();
        if (type == 'Q' || type == 'S' || type == 'F' || type == 'H') {
            pendingSyncPoints++;
        }
        if (phase == Phase.IDLE && (pendingSyncPoints > 0 || pendingBytes > (1 << 20))) {
            decide();
        } else if (phase == Phase.LINKED && pendingBytes > (1 << 20)) {
            // The next unit waits for the read in flight; stop reading until it ends.
            channel.config().setAutoRead(false);
        }
    }

    /** Whether frames arriving now belong to work after the link's (a read link takes only what was decided). */
    private boolean holdsForNextUnit() {
        return lastStatus == 'I' && (capturing || targetRead && !readTransaction);
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

    /** Notes what a Query or Parse does to the session; returns the frame to send (rewritten for SET/SHOW pgherd.*). */
    private Frame analyze(Frame frame) {
        String sql;
        if (frame.type() == Query.TYPE) {
            sql = Query.decode(frame.content().duplicate()).query();
        } else if (frame.type() == Parse.TYPE) {
            sql = Parse.decode(frame.content().duplicate()).query();
        } else {
            return frame;
        }
        activity = sql.length() > 200 ? sql.substring(0, 200) : sql;
        PgherdSetting setting = PgherdSetting.parse(sql);
        if (setting != null) {
            return pgherdSetting(frame, setting);
        }
        if (isDdl(sql)) {
            schemaChanged = true;
            for (String db : DatabaseDdl.databasesNeededAlone(sql)) {
                proxy.retireConnectionsTo(db, "a client's statement needs database " + db + " to itself: " + activity);
            }
        }
        analyzedEndsBackend = SessionEffects.mayEndOwnBackend(sql);
        SessionEffects effects = SessionEffects.of(sql);
        if (effects == SessionEffects.NONE) {
            return frame;
        }
        analyzedChangesState = effects.changesState();
        if (effects.changesState() && customSettings.size() < MAX_CUSTOM_SETTINGS) {
            for (String name : SessionEffects.customSettings(sql)) {
                if (!name.startsWith("pgherd.")) {
                    customSettings.add(name);
                }
            }
        }
        pins.addAll(effects.pins());
        return frame;
    }

    /**
     * Applies SET/RESET pgherd.* and rewrites the statement into one the server answers in the
     * client's protocol: the SET itself (a harmless placeholder setting), a SELECT of the value for
     * SHOW, or an error for a bad name or value.
     */
    private Frame pgherdSetting(Frame frame, PgherdSetting setting) {
        String problem = setting.verb().equals("show") ? null : setting.problem();
        String sql;
        if (problem != null) {
            sql = PgherdSetting.raise("22023", problem);
        } else if (setting.verb().equals("show")) {
            sql = switch (setting.name()) {
                case PgherdSetting.ROUTE -> PgherdSetting.answer(setting.name(), routeSetting);
                case PgherdSetting.CONSISTENCY -> PgherdSetting.answer(setting.name(), Key.label(consistency()));
                case PgherdSetting.CAUSAL_TOKEN -> {
                    if (phase == Phase.LINKED && !holdsForNextUnit()) {
                        // Inside a transaction: the token as it stands.
                        yield PgherdSetting.answer(setting.name(), causalToken == 0 ? "0/0" : Lsn.format(causalToken));
                    }
                    // Answered once a fresh primary position is known (decide() rewrites it).
                    tokenShown = true;
                    yield null;
                }
                default -> PgherdSetting.raise("42704", new PgherdSetting("reset", setting.name(), null).problem());
            };
            if (sql == null) {
                return frame;
            }
        } else {
            boolean reset = setting.verb().equals("reset");
            boolean local = frame.type() == Query.TYPE && phase == Phase.IDLE && pending.isEmpty();
            if (!reset && !local) {
                // The server keeps it as a placeholder setting; quoted, since "primary" is a reserved word.
                frame = rewrite(frame, "SET pgherd." + setting.name() + " = " + PgherdSetting.literal(setting.value()));
            }
            switch (setting.name()) {
                case PgherdSetting.ROUTE -> routeSetting = reset ? "auto" : setting.value().toLowerCase(Locale.ROOT);
                case PgherdSetting.CONSISTENCY -> consistencySetting = reset ? null : PgherdSetting.consistency(setting.value());
                default -> {
                    if (!reset) {
                        causalToken = Math.max(causalToken, Lsn.parse(setting.value()));
                    }
                }
            }
            if (local) {
                // Outside a transaction, nothing in flight: the proxy answers, no server is needed.
                frame.release();
                write(Frames.of(new io.pgherd.protocol.CommandComplete(reset ? "RESET" : "SET"), channel.alloc()));
                write(Frames.of(ReadyForQuery.IDLE, channel.alloc()));
                channel.flush();
                return null;
            }
            return frame;
        }
        return rewrite(frame, sql);
    }

    private Frame rewrite(Frame frame, String sql) {
        Frame replaced;
        if (frame.type() == Query.TYPE) {
            replaced = Frames.of(new Query(sql), channel.alloc());
        } else {
            Parse parse = Parse.decode(frame.content().duplicate());
            replaced = Frames.of(new Parse(parse.name(), sql, parse.parameterTypeOids()), channel.alloc());
        }
        frame.release();
        return replaced;
    }

    private static boolean isDdl(String sql) {
        int i = 0;
        while (i < sql.length() && (Character.isWhitespace(sql.charAt(i)) || sql.charAt(i) == '(')) {
            i++;
        }
        return sql.regionMatches(true, i, "create", 0, 6) || sql.regionMatches(true, i, "alter", 0, 5)
                || sql.regionMatches(true, i, "drop", 0, 4) || sql.regionMatches(true, i, "comment", 0, 7);
    }

    private ProxyConfig.Consistency consistency() {
        return consistencySetting != null ? consistencySetting : proxy.config().get(ProxyConfig.CONSISTENCY);
    }

    // ---------------------------------------------------------------- routing

    /**
     * Decides where the work in {@link #pending} goes and borrows a server there. May wait first: for
     * the causal token of the client's last write, for a fresh primary position (strong reads, SHOW
     * pgherd.causal_token), or for a replica to catch up.
     */
    private void decide() {
        if (pending.isEmpty()) {
            phase = Phase.IDLE;
            return;
        }
        phase = Phase.WAITING;
        channel.config().setAutoRead(false);
        if (positionPending) {
            return; // tokenArrived() decides again
        }
        if (tokenShown) {
            tokenShown = false;
            askPosition(position -> {
                if (position > 0) {
                    causalToken = Math.max(causalToken, position);
                }
                answerTokenShows();
            });
            return;
        }
        decided = pending.size();
        Route route = unitRoute();
        if (route.target() == Route.Target.PRIMARY) {
            target(proxy.backends().topology().primary(), route, false);
            return;
        }
        // A read-only transaction, or a client of the replica-only port: everything goes to the link until it ends.
        readTransaction = route.reason() == Route.Reason.READ_ONLY_TRANSACTION || route.reason() == Route.Reason.FIXED_REPLICA;
        long minimum = 0;
        ProxyConfig.Consistency mode = route.reason() == Route.Reason.FIXED_REPLICA || routeSetting.equals("replica")
                ? ProxyConfig.Consistency.EVENTUAL : consistency();
        if (mode == ProxyConfig.Consistency.STRONG) {
            if (strongPosition < 0) {
                askPosition(position -> {
                    strongPosition = position == -1 ? 0 : position;
                    tokenUnknown |= position == -1;
                    decide();
                });
                return;
            }
            minimum = Math.max(causalToken, strongPosition);
        } else if (mode == ProxyConfig.Consistency.READ_YOUR_WRITES) {
            minimum = causalToken;
        }
        if (tokenUnknown && mode != ProxyConfig.Consistency.EVENTUAL) {
            strongPosition = -1;
            target(proxy.backends().topology().primary(), new Route(Route.Target.PRIMARY, Route.Reason.NO_POSITION, ""), true);
            return;
        }
        Topology topology = proxy.backends().topology();
        Topology.ReadTarget chosen = topology.chooseReader(proxy.config(), minimum);
        if (chosen == null || (route.reason() == Route.Reason.FIXED_REPLICA && chosen.node().isPrimary())) {
            noReader(topology);
            return;
        }
        if (chosen.catchUp()) {
            long now = System.nanoTime();
            if (catchUpDeadline == 0) {
                catchUpDeadline = now + proxy.config().get(ProxyConfig.CONSISTENCY_MAX_WAIT).toNanos();
                proxy.stats().causalWaits.increment();
            }
            if (now - catchUpDeadline >= 0) {
                target(topology.primary(), new Route(Route.Target.PRIMARY, Route.Reason.NOT_CAUGHT_UP, ""), true);
                return;
            }
            catchUpTo = minimum;
        }
        Route shown = chosen.node().isPrimary() && proxy.config().get(ProxyConfig.PRIMARY_READS) != ProxyConfig.PrimaryReads.ALWAYS
                ? new Route(Route.Target.PRIMARY, Route.Reason.NO_REPLICA, "") : route;
        target(chosen.node(), shown, true);
    }

    /** The route of everything pending, judged as one unit. */
    private Route unitRoute() {
        if (forced != null) {
            Route r = new Route(Route.Target.PRIMARY, forced, "");
            forced = null;
            return r;
        }
        if (!pins.isEmpty()) {
            return new Route(Route.Target.PRIMARY, Route.Reason.PINNED, "");
        }
        if (fixedTarget != null) {
            return fixedTarget == Route.Target.PRIMARY ? new Route(Route.Target.PRIMARY, Route.Reason.FIXED_PRIMARY, "")
                    : new Route(Route.Target.REPLICA, Route.Reason.FIXED_REPLICA, "");
        }
        if (proxy.config().get(ProxyConfig.POOL_MODE) == ProxyConfig.PoolMode.SESSION) {
            return new Route(Route.Target.PRIMARY, Route.Reason.SESSION_POOLING, "");
        }
        if (!proxy.backends().splitting()) {
            return new Route(Route.Target.PRIMARY, Route.Reason.SPLIT_OFF, "");
        }
        if (routeSetting.equals("primary")) {
            return new Route(Route.Target.PRIMARY, Route.Reason.ROUTE_PRIMARY, "");
        }
        if (pendingSyncPoints == 0 || pending.stream().anyMatch(f -> f.type() == 'H')) {
            return new Route(Route.Target.PRIMARY, Route.Reason.INCOMPLETE_BATCH, "");
        }
        StatementRouter router = proxy.router(database);
        boolean defaultReadOnly = isOn(desired.settings().get("default_transaction_read_only"));
        boolean defaultSerializable = "serializable".equalsIgnoreCase(desired.settings().get("default_transaction_isolation"));
        Route result = null;
        for (Frame f : pending) {
            Route r = routeOf(f, router, defaultReadOnly, defaultSerializable);
            if (r == null) {
                continue;
            }
            if (r.target() == Route.Target.PRIMARY) {
                return r;
            }
            if (result == null || r.reason() == Route.Reason.READ_ONLY_TRANSACTION) {
                result = r;
            }
        }
        return result != null ? result : new Route(Route.Target.PRIMARY, Route.Reason.NO_STATEMENT, "");
    }

    /**
     * Where the statement of one frame would go: a Query, a Parse, a Bind of a statement prepared in an
     * earlier unit, a FunctionCall (always the primary); null for any other frame.
     */
    private Route routeOf(Frame f, StatementRouter router, boolean defaultReadOnly, boolean defaultSerializable) {
        return switch (f.type()) {
            case Query.TYPE -> router.route(Query.decode(f.content().duplicate()).query(), defaultReadOnly, defaultSerializable);
            case Parse.TYPE -> router.routePrepared(Parse.decode(f.content().duplicate()).query(), defaultReadOnly,
                    defaultSerializable);
            case 'B' -> {
                String text = boundText(f);
                yield text == null ? null : router.routePrepared(text, defaultReadOnly, defaultSerializable);
            }
            case 'F' -> new Route(Route.Target.PRIMARY, Route.Reason.FUNCTION_CALL, "");
            default -> null;
        };
    }

    /** The text of the named statement a Bind uses, when it was prepared in an earlier unit; else null. */
    private String boundText(Frame bind) {
        io.netty.buffer.ByteBuf body = bind.content();
        int portalEnd = body.indexOf(body.readerIndex(), body.writerIndex(), (byte) 0);
        int statementEnd = portalEnd < 0 ? -1 : body.indexOf(portalEnd + 1, body.writerIndex(), (byte) 0);
        if (statementEnd <= portalEnd + 1) {
            return null;
        }
        String name = body.toString(portalEnd + 1, statementEnd - portalEnd - 1, java.nio.charset.StandardCharsets.UTF_8);
        ClientStatement statement = statements.get(name);
        return statement == null ? null : statement.query();
    }

    private static boolean isOn(String value) {
        return value != null && (value.equalsIgnoreCase("on") || value.equalsIgnoreCase("true") || value.equals("1"));
    }

    /** No node may take the read: the client gets an error, nothing else is disturbed. */
    private void noReader(Topology topology) {
        String why = topology.nodes().stream().filter(n -> !n.isPrimary())
                .map(n -> n.name() + ": " + topology.whyNoReads(n, proxy.config())).collect(Collectors.joining("; "));
        borrowFailed(ErrorResponse.pgherdError("57P03", "no node is eligible for reads (" + (why.isEmpty()
                ? "no replicas" : why) + "; primary_reads is " + io.pgherd.common.config.Key.label(
                proxy.config().get(ProxyConfig.PRIMARY_READS)) + ")"));
    }

    /** Reads a primary WAL position off the event loop; {@code then} runs back on it (-1: unknown). */
    private void askPosition(LongConsumer then) {
        positionPending = true;
        proxy.backends().primaryPosition(position -> eventLoop().execute(() -> {
            positionPending = false;
            if (phase == Phase.CLOSED) {
                return;
            }
            then.accept(position);
        }));
    }

    /** The client's write committed: its reads must see a primary position read from now on. */
    private void takeCausalToken() {
        askPosition(position -> {
            if (position > 0) {
                causalToken = Math.max(causalToken, position);
                tokenUnknown = false;
            } else {
                tokenUnknown = true;
            }
            if (phase == Phase.WAITING && link == null && waiter == null) {
                decide();
            }
        });
    }

    /** Rewrites the pending SHOW pgherd.causal_token statements with the token, then decides. */
    private void answerTokenShows() {
        String token = causalToken == 0 ? "0/0" : Lsn.format(causalToken);
        int n = pending.size();
        for (int i = 0; i < n; i++) {
            Frame f = pending.poll();
            String sql = f.type() == Query.TYPE ? Query.decode(f.content().duplicate()).query()
                    : f.type() == Parse.TYPE ? Parse.decode(f.content().duplicate()).query() : null;
            PgherdSetting s = sql == null ? null : PgherdSetting.parse(sql);
            if (s != null && s.verb().equals("show") && s.name().equals(PgherdSetting.CAUSAL_TOKEN)) {
                f = rewrite(f, PgherdSetting.answer(s.name(), token));
            }
            pending.add(f);
        }
        decide();
    }

    /** Borrows a server of {@code node} for the decided work. */
    private void target(NodeState node, Route route, boolean read) {
        strongPosition = -1;
        targetNode = node;
        targetRead = read;
        targetRoute = route;
        if (node.isPrimary() && !proxy.writes().isOpen()) {
            hold(false);
            return;
        }
        targetPool = proxy.pool(node.node(), database, user);
        if (!read) {
            readTransaction = false;
            catchUpTo = 0;
        }
        borrow();
    }

    // ---------------------------------------------------------------- borrowing and giving back

    private void borrow() {
        phase = Phase.WAITING;
        if (!proxy.paused()) {
            // The common case costs no task hop: an idle server on this loop is linked before this returns.
            requestServer();
        } else {
            proxy.whenResumed(() -> eventLoop().execute(() -> {
                if (phase == Phase.WAITING && waiter == null && link == null) {
                    requestServer();
                }
            }));
        }
        if (phase == Phase.WAITING) {
            // Nothing more is read from the client until a server takes what it sent.
            channel.config().setAutoRead(false);
        }
    }

    /**
     * Holds the decided work until the write gate opens, then sends it to whichever primary is
     * confirmed then; gives up with SQLSTATE 57P03 after proxy.cluster.hold_timeout. Nothing more is
     * read from the client meanwhile.
     *
     * @param afterFailure the primary just failed a borrow: look again only after a short pause
     */
    private void hold(boolean afterFailure) {
        phase = Phase.WAITING;
        channel.config().setAutoRead(false);
        long now = System.nanoTime();
        if (holdDeadline == 0) {
            holdDeadline = now + proxy.config().get(ProxyConfig.CLUSTER_HOLD_TIMEOUT).toNanos();
            proxy.stats().writeHolds.increment();
            activity = "held: no writable primary";
            log.debug("client {}: held ({} {}, {}): {}", processId, targetRoute.target(), targetRoute.reason(),
                    targetRead ? "read" : "write", proxy.writes().why());
        }
        if (now - holdDeadline >= 0) {
            holdExpired();
            return;
        }
        int token = ++holdToken;
        holding = true;
        Route route = targetRoute;
        boolean read = targetRead;
        eventLoop().schedule(() -> {
            if (holding && holdToken == token) {
                holdExpired();
            }
        }, holdDeadline - now, TimeUnit.NANOSECONDS);
        Runnable release = () -> eventLoop().execute(() -> {
            if (!holding || holdToken != token || phase != Phase.WAITING || link != null || waiter != null) {
                return;
            }
            holding = false;
            holdWaiter = null;
            target(proxy.backends().topology().primary(), route, read);
        });
        if (afterFailure) {
            eventLoop().schedule(() -> proxy.writes().whenOpen(release), HOLD_RETRY_MILLIS,
                    TimeUnit.MILLISECONDS);
        } else {
            holdWaiter = release;
            proxy.writes().whenOpen(release);
        }
    }

    /** Stops holding (the client left, cancelled, or the hold timed out). */
    private void stopHolding() {
        holding = false;
        holdToken++;
        if (holdWaiter != null) {
            proxy.writes().forget(holdWaiter);
            holdWaiter = null;
        }
    }

    private void holdExpired() {
        stopHolding();
        String why = proxy.writes().why();
        borrowFailed(ErrorResponse.pgherdError(SqlState.CANNOT_CONNECT_NOW, "no writable primary within "
                + "proxy.cluster.hold_timeout (" + proxy.config().get(ProxyConfig.CLUSTER_HOLD_TIMEOUT).toMillis() + " ms)" + (why.isEmpty() ? "" : ": " + why)));
    }

    /** Whether a failed borrow from the primary is held rather than reported: a followed cluster's primary is changing. */
    private boolean holdsFailure(ErrorResponse error) {
        return targetNode != null && targetNode.isPrimary() && proxy.config().get(ProxyConfig.CLUSTER_DCS) != null
                && SqlState.serverUnavailable(error.code()) && (holdDeadline == 0 || System.nanoTime() - holdDeadline < 0);
    }

    /**
     * Asks the pool for a server. The pool may hand one over before this returns, and {@link #link} may
     * then hold the work (the write gate closed since the decision): the answered request is not kept
     * as the one waited for, which would make the hold's release think a borrow was still under way and
     * leave the work held until hold_timeout.
     */
    private void requestServer() {
        if (reserved != null) {
            ServerConnection server = reserved;
            Pool from = reservedPool;
            reserved = null;
            reservedPool = null;
            if (from == targetPool && server.isUsable()) {
                link(server);
                return;
            }
            // The primary changed since the login, or the server died: the client gets another.
            from.requite(server);
        }
        Pool.Waiter pendingRequest = targetPool.borrow(eventLoop(), credentials, this::link, this::borrowFailed);
        if (phase == Phase.WAITING && link == null && !pendingRequest.done()) {
            waiter = pendingRequest;
        }
    }

    /**
     * Gives the session, before its first statement, the server it is to use (session pooling, taken at
     * login so the client could be told its process id); it is linked when the first work targets
     * {@code pool}, and goes back to {@code pool} unused if the session ends first.
     */
    public void reserve(ServerConnection server, Pool pool) {
        reserved = server;
        reservedPool = pool;
    }

    private void link(ServerConnection server) {
        waiter = null;
        if (phase != Phase.WAITING) {
            targetPool.requite(server);
            return;
        }
        if (targetNode.isPrimary() && (!proxy.writes().isOpen() || targetPool.epoch() != proxy.leaderEpoch())) {
            // The primary changed, or writes are held, since the decision: nothing is sent on this connection.
            if (targetPool.epoch() != proxy.leaderEpoch()) {
                server.close("opened under leader epoch " + targetPool.epoch() + ", now " + proxy.leaderEpoch());
                targetPool.discard(server);
            } else {
                targetPool.requite(server);
            }
            hold(false);
            return;
        }
        holdDeadline = 0;
        phase = Phase.LINKED;
        server.attach(this);
        if (!server.channel().config().isAutoRead()) {
            server.channel().config().setAutoRead(true);
        }
        answered = false;
        targetNode.linked();
        wrote |= targetNode.isPrimary() && !targetRead;
        guardWrites = targetRead && !targetNode.isPrimary() && !readTransaction && fixedTarget == null
                && replays < MAX_REPLAYS && pendingSyncPoints == 1;
        link = new ServerLink(server, this::toClient, statements, proxy.statements(),
                proxy.config().get(ProxyConfig.MAX_PREPARED_STATEMENTS),
                proxy.config().get(ProxyConfig.POOL_MODE) == ProxyConfig.PoolMode.TRANSACTION, channel.alloc());
        String restore = desired.changesFrom(server.sessionState());
        if (restore == null) {
            prepared(server);
            return;
        }
        // The work waits for the restore's answer: if it fails, the work must not run with whatever
        // settings the server still has from another client.
        proxy.stats().serverStateRestores.increment();
        preparing = true;
        SessionState target = desired;
        link.inject(restore, null, () -> {
            server.sessionState(target);
            if (link != null && link.server() == server) {
                prepared(server);
            }
        }, error -> unusable(server, "restoring the session's settings", error));
        server.flush();
    }

    /** The link's server has the client's session state: checks its replay position if needed, then sends the work. */
    private void prepared(ServerConnection server) {
        if (catchUpTo > 0) {
            checkCaughtUp(server);
            return;
        }
        sendDecided();
    }

    /**
     * A query the proxy slipped in failed on the link's server: its session is not what the proxy
     * thinks, so the server is closed, never given back, and the client's work (not sent yet) goes
     * to another server connection; after {@link #MAX_REPLAYS} such tries the client gets the error.
     *
     * @param error the server's error; null when the server went away (its close is handled there)
     */
    private void unusable(ServerConnection server, String what, ErrorResponse error) {
        if (error == null || link == null || link.server() != server) {
            return;
        }
        String why = what + " failed: " + error.code() + " " + error.message();
        log.debug("client {}: closing server connection {}: {}", processId, server.id(), why);
        ServerLink dead = link;
        unlink();
        server.close(why);
        targetPool.discard(server);
        dead.abandon();
        catchUpTo = 0;
        phase = Phase.WAITING;
        if (replays < MAX_REPLAYS) {
            replays++;
            decide();
            return;
        }
        borrowFailed(ErrorResponse.pgherdError(error.code(), why + " on server connection " + server.id() + " to "
                + server.node().name()));
    }

    /** Sends what the decision covered (a read) or everything pending (anything else) to the link. */
    private void sendDecided() {
        ServerConnection server = link.server();
        catchUpDeadline = 0;
        preparing = false;
        if (decided > 0) {
            proxy.stats().routed(targetRoute.target(), targetRoute.reason());
            targetNode.sent(targetRead);
        }
        int count = targetRead && !readTransaction ? Math.min(decided, pending.size()) : pending.size();
        for (int i = 0; i < count; i++) {
            Frame f = pending.poll();
            pendingBytes -= f.length();
            send(f);
        }
        pendingSyncPoints = 0;
        for (Frame f : pending) {
            byte type = f.type();
            if (type == 'Q' || type == 'S' || type == 'F' || type == 'H') {
                pendingSyncPoints++;
            }
        }
        decided = 0;
        server.flush();
        if (!channel.config().isAutoRead() && pendingBytes <= (1 << 20)) {
            channel.config().setAutoRead(true);
        }
    }

    /** Asks the replica how far it replayed; runs the work there if past the causal token, else waits or moves on. */
    private void checkCaughtUp(ServerConnection server) {
        long needed = catchUpTo;
        NodeState node = targetNode;
        long[] replayed = {0};
        preparing = true;
        link.inject("SELECT pg_catalog.pg_last_wal_replay_lsn()::text", frame -> {
            if (frame.type() == DataRow.TYPE) {
                byte[] v = DataRow.decode(frame.content().duplicate()).values().get(0);
                replayed[0] = v == null ? 0 : Lsn.parse(new String(v, java.nio.charset.StandardCharsets.US_ASCII));
            }
        }, () -> {
            if (link == null || link.server() != server) {
                return;
            }
            node.observed(replayed[0]);
            if (replayed[0] >= needed) {
                catchUpTo = 0;
                sendDecided();
                return;
            }
            // Not there yet: give the server back and look again shortly (another replica may be ahead by then).
            unlink();
            targetPool.requite(server);
            phase = Phase.WAITING;
            catchUpTo = 0;
            eventLoop().schedule(() -> {
                if (phase == Phase.WAITING && link == null && waiter == null) {
                    decide();
                }
            }, CATCH_UP_RETRY_MICROS, TimeUnit.MICROSECONDS);
        }, error -> unusable(server, "reading the replay position", error));
        server.flush();
    }

    /** The link ends: the node's outstanding count drops. */
    private void unlink() {
        if (targetNode != null && link != null) {
            targetNode.finished();
        }
        link = null;
        guardWrites = false;
        retryOnPrimary = false;
        capturing = false;
        preparing = false;
        releaseHeld();
    }

    private void borrowFailed(ErrorResponse error) {
        waiter = null;
        if (phase != Phase.WAITING) {
            return;
        }
        if (holdsFailure(error)) {
            proxy.primaryFailed(targetNode.name(), error.message());
            hold(true);
            return;
        }
        holdDeadline = 0;
        if (targetRead && targetNode != null && !targetNode.isPrimary() && SqlState.INVALID_CATALOG_NAME.equals(error.code())) {
            // A database created a moment ago that this replica has not replayed yet: the primary has it.
            // The replica stays in rotation; it will have the database shortly.
            log.debug("client {}: replica {} does not have database {} yet; the primary takes the work", processId,
                    targetNode.name(), database);
            forced = Route.Reason.NOT_ON_REPLICA;
            decide();
            return;
        }
        if (targetRead && targetNode != null && !targetNode.isPrimary() && SqlState.serverUnavailable(error.code())
                && failovers < MAX_FAILOVERS) {
            // The replica refuses connections: take it out and send the read elsewhere.
            failovers++;
            log.info("client {}: replica {} refused a connection ({}); routing elsewhere", processId,
                    targetNode.name(), error.message());
            proxy.backends().nodeFailed(targetNode, error.message());
            decide();
            return;
        }
        failovers = 0;
        phase = Phase.IDLE;
        boolean fatal = "FATAL".equals(error.severity());
        boolean synced = pending.stream().anyMatch(f -> f.type() == 'Q' || f.type() == 'S' || f.type() == 'F');
        pending.forEach(Frame::release);
        pending.clear();
        stateChanging.clear();
        endingBackend.clear();
        pendingBytes = 0;
        pendingSyncPoints = 0;
        decided = 0;
        tokenShown = false;
        catchUpDeadline = 0;
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
        if (!stateChanging.isEmpty() && stateChanging.remove(frame)) {
            dirty = true;
        }
        if (!endingBackend.isEmpty() && endingBackend.remove(frame)) {
            mayEndOwnBackend = true;
        }
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
        unlink();
        targetPool.requite(server);
        transactionOver();
    }

    /**
     * The client's transaction is over and answered, and its server given back (or lost while the
     * proxy read back the session state): the client is idle, and what it sent meanwhile goes next.
     */
    private void transactionOver() {
        boolean wasWrite = wrote && targetNode.isPrimary();
        phase = Phase.IDLE;
        lastStatus = 'I';
        clearReplay();
        replays = 0;
        failovers = 0;
        readTransaction = false;
        targetRead = false;
        proxy.stats().transactions.increment();
        activity = "idle";
        if (schemaChanged) {
            schemaChanged = false;
            proxy.backends().schemaChanged(database);
        }
        if (wasWrite) {
            wrote = false;
            proxy.writes().wrote();
            if (proxy.backends().splitting() && consistency() == ProxyConfig.Consistency.READ_YOUR_WRITES) {
                takeCausalToken();
            }
        }
        if (!pending.isEmpty()) {
            if (pendingSyncPoints > 0) {
                decide();
            } else if (!channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }
    }

    /** Asks the server what session state the last transaction left, then gives the server back. */
    private void captureState() {
        ServerConnection server = link.server();
        capturing = true;
        List<String[]> rows = new ArrayList<>();
        link.inject(SessionState.captureSql(customSettings), frame -> {
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
        }, error -> {
            if (error == null || link == null || link.server() != server) {
                return;
            }
            // What the server's session holds is unknown: it serves no one again (the pool drops it
            // when it comes back), and the client keeps the settings known before the transaction.
            server.close("reading back the session state failed: " + error.code() + " " + error.message());
            notice("could not read back the session's settings after the last transaction (" + error.message()
                    + "); settings it changed may be lost");
        });
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
            // A dying server (terminated, shutting down) closes next; its close decides (ServerLoss) whether
            // the work is replayed elsewhere, the client gets one ERROR and stays, or gets this error and goes.
            serverFatal = ErrorResponse.decode(frame.content().duplicate());
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
        if (type == 'Z' && link != null && link.server() == server) {
            if (mayEndOwnBackend && link.isQuiet()) {
                // Everything sent has been answered: the backend outlived it.
                mayEndOwnBackend = false;
            }
            if (retryOnPrimary && link.isQuiet()) {
                retryOnPrimary(server);
                return;
            }
            // The end of an answer: flush now, the server may go back to the pool before its read completes.
            channel.flush();
            maybeRelease();
            if (phase == Phase.LINKED && (lastStatus != 'I' || !pins.isEmpty()) && !pending.isEmpty() && link.isQuiet()) {
                // What waited behind a read (or a state capture) continues the transaction, or the client is
                // now pinned to this server: it runs here.
                decided = 0;
                readTransaction = lastStatus != 'I';
                capturing = false;
                sendDecided();
            }
        }
    }

    /** A replica refused the work (25006, 0A000) before anything reached the client: run it on the primary. */
    private void retryOnPrimary(ServerConnection server) {
        retryOnPrimary = false;
        if (retryLearns) {
            learnWrites();
        }
        log.info("client {}: replica {} refused a statement it cannot run (as a write, or an unlogged relation or"
                + " serializable transaction); running it on the primary", processId, targetNode.name());
        proxy.stats().retriesOnPrimary.increment();
        unlink();
        targetPool.requite(server);
        replays++;
        requeueReplay();
        forced = Route.Reason.RETRY_ON_PRIMARY;
        decide();
    }

    /** The statements on the link a replica refused as writes go to the primary from now on. */
    private void learnWrites() {
        StatementRouter router = proxy.router(database);
        for (Frame f : replay) {
            if (f.type() == Query.TYPE) {
                router.learnWrite(Query.decode(f.content().duplicate()).query());
            } else if (f.type() == Parse.TYPE) {
                router.learnWrite(Parse.decode(f.content().duplicate()).query());
            } else if (f.type() == 'B') {
                String text = boundText(f);
                if (text != null) {
                    router.learnWrite(text);
                }
            }
        }
    }

    /** Puts the frames sent on a failed link back in front of what is pending, to run again elsewhere. */
    private void requeueReplay() {
        List<Frame> later = new ArrayList<>(pending);
        pending.clear();
        pending.addAll(replay);
        pending.addAll(later);
        replay.clear();
        pendingBytes = 0;
        pendingSyncPoints = 0;
        for (Frame f : pending) {
            pendingBytes += f.length();
            byte type = f.type();
            if (type == 'Q' || type == 'S' || type == 'F' || type == 'H') {
                pendingSyncPoints++;
            }
        }
        lastStatus = 'I';
        answered = false;
        serverFatal = null;
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
        boolean unsent = preparing;
        boolean readingBack = capturing;
        ServerLink dead = link;
        NodeState node = targetNode;
        unlink();
        dead.abandon();
        targetPool.discard(server);
        if (phase == Phase.CLOSED) {
            return;
        }
        ErrorResponse fatal = serverFatal;
        serverFatal = null;
        boolean endsOwnBackend = mayEndOwnBackend;
        mayEndOwnBackend = false;
        String why = fatal != null ? fatal.message() : reason;
        if (!endsOwnBackend) {
            // A client that ended its own backend says nothing about the node.
            reportNode(node, fatal, why);
        }
        if (readingBack) {
            // The client's transaction was over and answered; only the proxy's read-back of the settings
            // it may have changed was lost. The client waits for nothing, so no error may reach it now: it
            // would be taken as the answer to its next request. It keeps the settings known before.
            notice("lost the server connection to " + node.name() + " while reading back the session's settings ("
                    + why + "); settings the last transaction changed may be lost");
            channel.flush();
            transactionOver();
            return;
        }
        if ((catchUpTo > 0 || unsent) && replay.isEmpty() && !pending.isEmpty()) {
            // It died while the proxy restored settings or asked how far it replayed: the client's work
            // was never sent; send it elsewhere.
            catchUpTo = 0;
            phase = Phase.IDLE;
            decide();
            return;
        }
        boolean sessionPooling = proxy.config().get(ProxyConfig.POOL_MODE) == ProxyConfig.PoolMode.SESSION;
        ServerLoss loss = ServerLoss.of(sessionPooling, !pins.isEmpty(), endsOwnBackend,
                !answered && !replay.isEmpty() && replays < MAX_REPLAYS && safeToRunAgain(node, fatal));
        switch (loss) {
            case REPLAY -> {
                // Nothing reached the client yet: run the same work on another connection, unnoticed.
                replays++;
                proxy.stats().serverReplays.increment();
                log.info("client {}: server connection {} closed before answering ({}); running the work on another",
                        processId, server.id(), reason);
                requeueReplay();
                readTransaction = false;
                phase = Phase.IDLE;
                decide();
            }
            case CLOSE_CLIENT -> {
                // What the client relied on died with the server: it hears so as it would from PostgreSQL, and goes.
                ErrorResponse error = fatal != null ? fatal : ErrorResponse.pgherdFatal(SqlState.CONNECTION_FAILURE,
                        "lost the server connection to " + server.node().name() + " (" + reason + "); the session ("
                                + (sessionPooling ? "session pooling" : pinReason()) + ") is gone with it");
                proxy.stats().error(error.code());
                channel.writeAndFlush(Frames.of(error, channel.alloc()));
                close("its server connection was lost");
            }
            case FAIL_TRANSACTION -> failTransaction(server, why, outstanding);
        }
    }

    /** Tells the topology (a replica) or the cluster follower (the primary) that a server connection of {@code node} died. */
    private void reportNode(NodeState node, ErrorResponse fatal, String why) {
        if (!node.isPrimary()) {
            proxy.backends().nodeFailed(node, "a server connection closed: " + why);
        } else if (fatal != null && SqlState.ADMIN_SHUTDOWN.equals(fatal.code())) {
            // One terminated backend, or the whole server shutting down: the follower asks the primary before holding writes.
            proxy.primaryConnectionTerminated(node.name(), why);
        } else {
            proxy.primaryFailed(node.name(), why);
        }
    }

    /** A transaction-pooled client's server died mid-transaction: the transaction is lost, the client's session goes on. */
    private void failTransaction(ServerConnection server, String why, boolean outstanding) {
        clearReplay();
        phase = Phase.IDLE;
        lastStatus = 'I';
        readTransaction = false;
        ErrorResponse error = ErrorResponse.pgherdError(SqlState.CONNECTION_FAILURE, "lost the server connection to "
                + server.node().name() + " during the transaction (" + why + "); " + (outstanding
                ? "the transaction was rolled back, unless the statement in flight was its COMMIT or ran outside a"
                        + " transaction: whether that took effect is unknown"
                : "the transaction was rolled back"));
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
        if (!pending.isEmpty() && pendingSyncPoints > 0) {
            decide();
        }
    }

    /**
     * Whether work the server never answered may run again elsewhere: reads may; so may anything the
     * server ended with a FATAL error first (terminated, shutting down, its postmaster gone: what it was
     * running was aborted, not committed). A write on a connection that simply vanished may have
     * committed before the answer was lost, and must not run twice.
     */
    private boolean safeToRunAgain(NodeState node, ErrorResponse fatal) {
        if (targetRead || !node.isPrimary() || fatal != null) {
            return true;
        }
        StatementRouter router = proxy.router(database);
        for (Frame f : replay) {
            Route r = routeOf(f, router, false, false);
            if (r != null && r.target() != Route.Target.REPLICA) {
                return false;
            }
        }
        return true;
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
        if (guardWrites && !answered) {
            byte type = frame.type();
            if (retryOnPrimary) {
                frame.release();
                return;
            }
            String code = type == 'E' ? ErrorResponse.decode(frame.content().duplicate()).code() : null;
            if (refusedByReplica(code)) {
                retryOnPrimary = true;
                retryLearns = SqlState.READ_ONLY_SQL_TRANSACTION.equals(code);
                frame.release();
                releaseHeld();
                return;
            }
            if (HEADER_TYPES.indexOf(type) >= 0 && held.size() < MAX_HELD) {
                held.add(frame);
                return;
            }
            guardWrites = false;
            for (Frame h : held) {
                channel.write(h, channel.voidPromise());
            }
            held.clear();
        }
        answered = true;
        if (frame.type() == 'E') {
            proxy.stats().error(ErrorResponse.decode(frame.content().duplicate()).code());
        }
        channel.write(frame, channel.voidPromise());
    }

    /**
     * Whether a replica's error says the work cannot run on a hot standby at all, so the primary may
     * take it unseen: 25006 (a write), 0A000 (an unlogged or temporary relation, a serializable
     * transaction). Should the primary refuse it as well, the client gets the primary's error.
     */
    private static boolean refusedByReplica(String code) {
        return SqlState.READ_ONLY_SQL_TRANSACTION.equals(code) || SqlState.FEATURE_NOT_SUPPORTED.equals(code);
    }

    private void releaseHeld() {
        held.forEach(Frame::release);
        held.clear();
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
        stopHolding();
        pending.forEach(Frame::release);
        pending.clear();
        stateChanging.clear();
        endingBackend.clear();
        clearReplay();
        releaseHeld();
        if (reserved != null) {
            reservedPool.requite(reserved);
            reserved = null;
        }
        if (was == Phase.LINKED && link != null) {
            ServerConnection server = link.server();
            boolean idle = link.isQuiet() && lastStatus == 'I';
            boolean transactionMode = proxy.config().get(ProxyConfig.POOL_MODE) == ProxyConfig.PoolMode.TRANSACTION;
            Pool pool = targetPool;
            if (!idle) {
                // The server is closed below: what it still owes, and client messages the link held back, go too.
                link.abandon();
            }
            unlink();
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
            } else if (holding) {
                stopHolding();
                borrowFailed(ErrorResponse.pgherdError("57014", "canceling statement due to user request"
                        + " (it was held while the cluster had no writable primary)"));
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
        return List.of(Integer.toString(processId), user, database, phase.name().toLowerCase(Locale.ROOT),
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

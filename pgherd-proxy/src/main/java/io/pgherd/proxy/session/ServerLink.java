package io.pgherd.proxy.session;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgherd.protocol.Bind;
import io.pgherd.protocol.Close;
import io.pgherd.protocol.CloseComplete;
import io.pgherd.protocol.Describe;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.ObjectKind;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.ParseComplete;
import io.pgherd.protocol.Query;
import io.pgherd.proxy.backend.ServerConnection;

/**
 * A client's work in flight on one borrowed server: forwards the client's messages, renames
 * protocol-level prepared statements to their server-side names (slipping in a Parse where the
 * server lacks one, answering a Parse or Close itself where the server needs none), and matches
 * the answers through a {@link ResponseQueue}. Lives on the client's event loop; frames passed in
 * are owned by the link.
 */
final class ServerLink {
    /**
     * Runs each query the proxy slips in read committed, whatever default_transaction_isolation
     * another client left on the server: a hot standby refuses every snapshot of a serializable
     * transaction, so a restore that resets the setting would fail there.
     */
    static final String INJECTED_ISOLATION = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;";

    private final ServerConnection server;
    private final ResponseQueue queue;
    private final Map<String, ClientStatement> statements;
    private final PreparedStatements names;
    private final int preparedLimit;
    private final ByteBufAllocator alloc;
    private boolean extendedSinceSync;

    ServerLink(ServerConnection server, Consumer<Frame> toClient, Map<String, ClientStatement> statements,
               PreparedStatements names, int preparedLimit, ByteBufAllocator alloc) {
        this.server = server;
        this.queue = new ResponseQueue(toClient);
        this.statements = statements;
        this.names = names;
        this.preparedLimit = preparedLimit;
        this.alloc = alloc;
    }

    ServerConnection server() {
        return server;
    }

    /** Whether the server has answered everything and no extended-protocol batch is open. */
    boolean isQuiet() {
        return queue.isEmpty() && !extendedSinceSync;
    }

    /** Takes one server message (owned); false if nothing was expected. */
    boolean accept(Frame frame) {
        return queue.accept(frame);
    }

    /** The server is gone: drops what was expected. */
    void abandon() {
        queue.clear();
    }

    /**
     * Sends a query of the proxy's own (not flushed); its answers, errors included, never reach the
     * client. Exactly one hook runs: {@code onDone} at its ReadyForQuery when no error came, else
     * {@code onFailed} with the server's first error, or with null when the server went away first.
     * The server's session after a failure is not what the query meant it to be: the caller must
     * not use the server for anyone again.
     */
    void inject(String sql, Consumer<Frame> observer, Runnable onDone, Consumer<ErrorResponse> onFailed) {
        ErrorResponse[] error = {null};
        Consumer<Frame> watch = frame -> {
            if (frame.type() == ErrorResponse.TYPE && error[0] == null) {
                error[0] = ErrorResponse.decode(frame.content().duplicate());
            }
            if (observer != null) {
                observer.accept(frame);
            }
        };
        server.write(Frames.of(new Query(INJECTED_ISOLATION + sql), alloc));
        queue.add(Expected.injected(Expected.Kind.QUERY, false, watch, onDone, () -> onFailed.accept(error[0])));
    }

    /** Forwards one client message (owned) to the server, rewriting what must be rewritten. */
    void send(Frame frame) {
        switch (frame.type()) {
            case Query.TYPE, 'F' -> forward(frame, Expected.Kind.QUERY);
            case Parse.TYPE -> parse(frame);
            case Bind.TYPE -> bind(frame);
            case Describe.TYPE -> describe(frame);
            case Close.TYPE -> close(frame);
            case 'E' -> forward(frame, Expected.Kind.EXECUTE);
            case 'S' -> {
                extendedSinceSync = false;
                forward(frame, Expected.Kind.SYNC);
            }
            default -> server.write(frame);
        }
    }

    private void forward(Frame frame, Expected.Kind kind) {
        if (kind != Expected.Kind.QUERY && kind != Expected.Kind.SYNC) {
            extendedSinceSync = true;
        }
        server.write(frame);
        queue.add(Expected.forward(kind));
    }

    private void parse(Frame frame) {
        extendedSinceSync = true;
        Parse parse = Parse.decode(frame.content().duplicate());
        if (parse.name().isEmpty()) {
            server.write(frame);
            queue.add(Expected.forward(Expected.Kind.PARSE));
            return;
        }
        frame.release();
        String serverName = names.nameFor(parse.query(), parse.parameterTypeOids());
        ClientStatement statement = new ClientStatement(serverName,
                new Parse(serverName, parse.query(), parse.parameterTypeOids()));
        String clientName = parse.name();
        statements.put(clientName, statement);
        // A Parse the server skips or refuses leaves no statement of that name, as on PostgreSQL.
        Runnable undo = () -> statements.remove(clientName, statement);
        if (server.hasPrepared(serverName)) {
            queue.add(Expected.synthetic(Frames.of(ParseComplete.INSTANCE, alloc), undo));
        } else {
            prepare(statement, undo);
        }
    }

    private void bind(Frame frame) {
        extendedSinceSync = true;
        ByteBuf body = frame.content();
        int portalEnd = body.indexOf(body.readerIndex(), body.writerIndex(), (byte) 0);
        int statementEnd = body.indexOf(portalEnd + 1, body.writerIndex(), (byte) 0);
        if (portalEnd < 0 || statementEnd < 0) {
            server.write(frame);
            queue.add(Expected.forward(Expected.Kind.BIND));
            return;
        }
        String name = body.toString(portalEnd + 1, statementEnd - portalEnd - 1, java.nio.charset.StandardCharsets.UTF_8);
        ClientStatement statement = name.isEmpty() ? null : statements.get(name);
        if (statement == null) {
            server.write(frame);
        } else {
            ensurePrepared(statement);
            // Only the statement name changes: the parameters are passed on without a copy.
            ByteBuf head = alloc.buffer(portalEnd - body.readerIndex() + statement.serverName().length() + 2);
            head.writeBytes(body, body.readerIndex(), portalEnd - body.readerIndex() + 1);
            ByteBufUtil.writeUtf8(head, statement.serverName());
            head.writeByte(0);
            ByteBuf rest = body.retainedSlice(statementEnd + 1, body.writerIndex() - statementEnd - 1);
            frame.release();
            server.write(new Frame(Bind.TYPE, alloc.compositeBuffer(2).addComponents(true, head, rest)));
        }
        queue.add(Expected.forward(Expected.Kind.BIND));
    }

    private void describe(Frame frame) {
        extendedSinceSync = true;
        Describe describe = Describe.decode(frame.content().duplicate());
        ClientStatement statement = describe.kind() == ObjectKind.STATEMENT && !describe.name().isEmpty()
                ? statements.get(describe.name()) : null;
        if (statement == null) {
            server.write(frame);
        } else {
            frame.release();
            ensurePrepared(statement);
            server.write(Frames.of(new Describe(ObjectKind.STATEMENT, statement.serverName()), alloc));
        }
        queue.add(Expected.forward(Expected.Kind.DESCRIBE));
    }

    private void close(Frame frame) {
        extendedSinceSync = true;
        Close close = Close.decode(frame.content().duplicate());
        ClientStatement closed = close.kind() == ObjectKind.STATEMENT && !close.name().isEmpty()
                ? statements.remove(close.name()) : null;
        if (closed != null) {
            // The server-side statement stays for whoever prepares the same text next.
            frame.release();
            String clientName = close.name();
            queue.add(Expected.synthetic(Frames.of(CloseComplete.INSTANCE, alloc),
                    () -> statements.putIfAbsent(clientName, closed)));
            return;
        }
        server.write(frame);
        queue.add(Expected.forward(Expected.Kind.CLOSE));
    }

    private void ensurePrepared(ClientStatement statement) {
        if (!server.hasPrepared(statement.serverName())) {
            prepare(statement, null);
        }
    }

    /**
     * Sends the Parse for {@code statement}, closing least recently used statements beyond the limit
     * first; a Close the server skips leaves its statement there, and the server is known to have it.
     *
     * @param clientFailed for the client's own Parse, what to undo when it fails; null when the proxy slips it in
     */
    private void prepare(ClientStatement statement, Runnable clientFailed) {
        ServerConnection target = server;
        List<String> evicted = server.addPrepared(statement.serverName(), preparedLimit);
        for (String old : evicted) {
            server.write(Frames.of(new Close(ObjectKind.STATEMENT, old), alloc));
            queue.add(Expected.injected(Expected.Kind.CLOSE, false, null, null, () -> target.addPrepared(old, 0)));
        }
        server.write(Frames.of(statement.parse(), alloc));
        Runnable forget = () -> target.forgetPrepared(statement.serverName());
        queue.add(clientFailed != null ? Expected.forward(Expected.Kind.PARSE, null, () -> {
            forget.run();
            clientFailed.run();
        }) : Expected.injected(Expected.Kind.PARSE, true, null, null, forget));
    }
}

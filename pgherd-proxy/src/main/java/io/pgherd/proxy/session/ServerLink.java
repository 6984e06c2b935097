package io.pgherd.proxy.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgherd.protocol.Bind;
import io.pgherd.protocol.Close;
import io.pgherd.protocol.Describe;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.Execute;
import io.pgherd.protocol.Flush;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.FunctionCall;
import io.pgherd.protocol.ObjectKind;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.Query;
import io.pgherd.protocol.Sync;
import io.pgherd.proxy.backend.ServerConnection;

/**
 * A client's work in flight on one borrowed server: forwards the client's messages and matches the
 * answers through a {@link ResponseQueue}. In transaction pooling it also stands in for the
 * client's protocol-level prepared statements, which must behave as on one server of its own:
 * <ul>
 * <li>a client's Parse really prepares, under a fresh server-side name, and the proxy describes
 * the statement right after to learn the {@link StatementShape} it is fixed to;</li>
 * <li>a Bind or Describe of a statement the server lacks re-prepares it (named statements under the
 * name shared by statements of that text and shape, the unnamed one unnamed) and, for a named one,
 * holds the client's messages until the server has described it: if its columns changed since the
 * client's Parse (DDL in between), the client gets 0A000 "cached plan must not change result
 * type" there, as PostgreSQL would, and the server fails too, so that it skips to the Sync and
 * aborts the transaction as it would have;</li>
 * <li>a Close really closes the client's own server-side statement;</li>
 * <li>SQL {@code EXECUTE}/{@code DEALLOCATE} of such a statement, alone at the start of a simple
 * Query, runs with its server-side name.</li>
 * </ul>
 * In session pooling statements pass through untouched. Lives on the client's event loop; frames
 * passed in are owned by the link.
 */
final class ServerLink {
    /**
     * Runs each query the proxy slips in read committed, whatever default_transaction_isolation
     * another client left on the server: a hot standby refuses every snapshot of a serializable
     * transaction, so a restore that resets the setting would fail there.
     */
    static final String INJECTED_ISOLATION = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;";
    /** No server has a statement of this name: a Bind of it fails, which makes the server fail where the client's message would have. */
    private static final String NO_SUCH_STATEMENT = "pgherd_no_such_statement";

    private final ServerConnection server;
    private final ResponseQueue queue;
    private final Map<String, ClientStatement> statements;
    private final PreparedStatements names;
    private final int preparedLimit;
    private final boolean renaming;
    private final ByteBufAllocator alloc;
    /** The client's messages that wait while a re-prepared statement is described. */
    private final ArrayDeque<Frame> held = new ArrayDeque<>();
    private boolean checking;
    private boolean extendedSinceSync;

    /**
     * @param statements the client's statements by the client's names ("" for the unnamed statement);
     *                   shared with the session, which outlives the link
     * @param renaming   whether to stand in for statements (transaction pooling) or pass them through
     */
    ServerLink(ServerConnection server, Consumer<Frame> toClient, Map<String, ClientStatement> statements,
               PreparedStatements names, int preparedLimit, boolean renaming, ByteBufAllocator alloc) {
        this.server = server;
        this.queue = new ResponseQueue(toClient);
        this.statements = statements;
        this.names = names;
        this.preparedLimit = preparedLimit;
        this.renaming = renaming;
        this.alloc = alloc;
    }

    ServerConnection server() {
        return server;
    }

    /** Whether the server has answered everything and no extended-protocol batch is open. */
    boolean isQuiet() {
        return queue.isEmpty() && !extendedSinceSync && held.isEmpty();
    }

    /** Takes one server message (owned); false if nothing was expected. */
    boolean accept(Frame frame) {
        return queue.accept(frame);
    }

    /** The server is gone: drops what was expected and what was held. */
    void abandon() {
        checking = false;
        held.forEach(Frame::release);
        held.clear();
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
        // A simple Query destroys the server's unnamed statement.
        server.unnamedStatement(null);
        server.write(Frames.of(new Query(INJECTED_ISOLATION + sql), alloc));
        queue.add(Expected.injected(Expected.Kind.QUERY, false, watch, onDone, () -> onFailed.accept(error[0])));
    }

    /** Forwards one client message (owned) to the server, rewriting what must be rewritten. */
    void send(Frame frame) {
        if (checking) {
            held.addLast(frame);
        } else {
            dispatch(frame);
        }
    }

    private void dispatch(Frame frame) {
        if (renaming && queue.isSkipping() && frame.type() != Sync.TYPE) {
            // The server skips it (an error, no Sync since): it prepares, closes and checks nothing, as
            // on PostgreSQL, where a skipped Parse defines nothing and a skipped Close closes nothing.
            skipped(frame);
            return;
        }
        switch (frame.type()) {
            case Query.TYPE -> {
                if (renaming) {
                    // As on PostgreSQL, a simple Query destroys the unnamed statement, the client's and the server's.
                    statements.remove("");
                    server.unnamedStatement(null);
                    if (!statements.isEmpty() && renamedInSql(frame)) {
                        return;
                    }
                }
                forward(frame, Expected.Kind.QUERY);
            }
            case FunctionCall.TYPE -> forward(frame, Expected.Kind.QUERY);
            case Parse.TYPE -> {
                if (renaming) {
                    parse(frame);
                } else {
                    forward(frame, Expected.Kind.PARSE);
                }
            }
            case Bind.TYPE -> {
                if (renaming) {
                    bind(frame);
                } else {
                    forward(frame, Expected.Kind.BIND);
                }
            }
            case Describe.TYPE -> {
                if (renaming) {
                    describe(frame);
                } else {
                    forward(frame, Expected.Kind.DESCRIBE);
                }
            }
            case Close.TYPE -> {
                if (renaming) {
                    close(frame);
                } else {
                    forward(frame, Expected.Kind.CLOSE);
                }
            }
            case Execute.TYPE -> forward(frame, Expected.Kind.EXECUTE);
            case Sync.TYPE -> {
                extendedSinceSync = false;
                forward(frame, Expected.Kind.SYNC);
            }
            default -> server.write(frame);
        }
    }

    /** Sends a message the server will skip; its entry fails at once. */
    private void skipped(Frame frame) {
        switch (frame.type()) {
            case Query.TYPE, FunctionCall.TYPE -> forward(frame, Expected.Kind.QUERY);
            case Parse.TYPE -> forward(frame, Expected.Kind.PARSE);
            case Bind.TYPE -> forward(frame, Expected.Kind.BIND);
            case Describe.TYPE -> forward(frame, Expected.Kind.DESCRIBE);
            case Close.TYPE -> forward(frame, Expected.Kind.CLOSE);
            case Execute.TYPE -> forward(frame, Expected.Kind.EXECUTE);
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
        String name = parse.name();
        ClientStatement existing = statements.get(name);
        if (!name.isEmpty() && existing != null && !existing.sameParse(parse.query(), parse.parameterTypeOids())) {
            // (The same Parse again is a replay of the client's batch on the primary, not the client's doing.)
            frame.release();
            fail(Expected.Kind.PARSE, postgresError("42P05", "prepared statement \"" + name + "\" already exists", "prepare.c", "StorePreparedStatement"));
            return;
        }
        ClientStatement statement = new ClientStatement(parse.query(), parse.parameterTypeOids(),
                name.isEmpty() ? "" : names.newName());
        statements.put(name, statement);
        // A Parse the server skips or refuses leaves no statement of that name, as on PostgreSQL.
        Runnable forget = forgetting(statement.serverName());
        Runnable failed = () -> {
            statements.remove(name, statement);
            forget.run();
        };
        if (name.isEmpty()) {
            server.write(frame);
            server.unnamedStatement(statement);
            queue.add(Expected.forward(Expected.Kind.PARSE, null, failed));
            return;
        }
        frame.release();
        prepare(new Parse(statement.serverName(), parse.query(), parse.parameterTypeOids()),
                Expected.forward(Expected.Kind.PARSE, null, failed));
        // What the statement is fixed to, for re-preparing it elsewhere only as the same statement.
        StatementShape.Collector shape = new StatementShape.Collector();
        server.write(Frames.of(new Describe(ObjectKind.STATEMENT, statement.serverName()), alloc));
        queue.add(Expected.injected(Expected.Kind.DESCRIBE, false, shape, () -> statement.described(shape.shape()), null));
    }

    private void bind(Frame frame) {
        extendedSinceSync = true;
        ByteBuf body = frame.content();
        int portalEnd = body.indexOf(body.readerIndex(), body.writerIndex(), (byte) 0);
        int statementEnd = portalEnd < 0 ? -1 : body.indexOf(portalEnd + 1, body.writerIndex(), (byte) 0);
        if (portalEnd < 0 || statementEnd < 0) {
            forward(frame, Expected.Kind.BIND);
            return;
        }
        String name = body.toString(portalEnd + 1, statementEnd - portalEnd - 1, StandardCharsets.UTF_8);
        ClientStatement statement = statements.get(name);
        if (name.isEmpty()) {
            if (statement == null) {
                frame.release();
                fail(Expected.Kind.BIND, postgresError("26000", "unnamed prepared statement does not exist", "postgres.c", "exec_bind_message"));
            } else {
                ensureUnnamed(statement);
                forward(frame, Expected.Kind.BIND);
            }
            return;
        }
        if (statement == null) {
            forward(frame, Expected.Kind.BIND);
            return;
        }
        String serverName = serverNameOf(statement, frame);
        if (serverName == null) {
            return;
        }
        // Only the statement name changes: the parameters are passed on without a copy.
        ByteBuf head = alloc.buffer(portalEnd - body.readerIndex() + serverName.length() + 2);
        head.writeBytes(body, body.readerIndex(), portalEnd - body.readerIndex() + 1);
        ByteBufUtil.writeUtf8(head, serverName);
        head.writeByte(0);
        ByteBuf rest = body.retainedSlice(statementEnd + 1, body.writerIndex() - statementEnd - 1);
        frame.release();
        server.write(new Frame(Bind.TYPE, alloc.compositeBuffer(2).addComponents(true, head, rest)));
        queue.add(Expected.forward(Expected.Kind.BIND));
    }

    private void describe(Frame frame) {
        extendedSinceSync = true;
        Describe describe = Describe.decode(frame.content().duplicate());
        if (describe.kind() != ObjectKind.STATEMENT) {
            forward(frame, Expected.Kind.DESCRIBE);
            return;
        }
        ClientStatement statement = statements.get(describe.name());
        if (describe.name().isEmpty()) {
            if (statement == null) {
                frame.release();
                fail(Expected.Kind.DESCRIBE, postgresError("26000", "unnamed prepared statement does not exist", "postgres.c", "exec_bind_message"));
            } else {
                ensureUnnamed(statement);
                forward(frame, Expected.Kind.DESCRIBE);
            }
            return;
        }
        if (statement == null) {
            forward(frame, Expected.Kind.DESCRIBE);
            return;
        }
        String serverName = serverNameOf(statement, frame);
        if (serverName == null) {
            return;
        }
        frame.release();
        server.write(Frames.of(new Describe(ObjectKind.STATEMENT, serverName), alloc));
        queue.add(Expected.forward(Expected.Kind.DESCRIBE));
    }

    private void close(Frame frame) {
        extendedSinceSync = true;
        Close close = Close.decode(frame.content().duplicate());
        ClientStatement statement = close.kind() == ObjectKind.STATEMENT ? statements.remove(close.name()) : null;
        if (statement == null || close.name().isEmpty()) {
            if (statement != null && server.unnamedStatement() == statement) {
                server.unnamedStatement(null);
            }
            forward(frame, Expected.Kind.CLOSE);
            return;
        }
        // The client's own server-side statement goes; shared ones stay for whoever needs them next.
        frame.release();
        String clientName = close.name();
        String serverName = statement.serverName();
        ServerConnection target = server;
        server.forgetPrepared(serverName);
        server.write(Frames.of(new Close(ObjectKind.STATEMENT, serverName), alloc));
        // A Close the server skips (an earlier error, no Sync since) closes nothing, as on PostgreSQL.
        queue.add(Expected.forward(Expected.Kind.CLOSE, null, () -> {
            statements.putIfAbsent(clientName, statement);
            target.addPrepared(serverName, 0);
        }));
    }

    /**
     * The server-side name under which this server has {@code statement}, re-preparing it if needed;
     * null when its shape is being checked first ({@code frame} is then held until the check is over).
     */
    private String serverNameOf(ClientStatement statement, Frame frame) {
        if (server.hasPrepared(statement.serverName())) {
            return statement.serverName();
        }
        StatementShape shape = statement.shape();
        if (shape == null) {
            // Never described (the server went away first): prepare it as the client did.
            prepare(new Parse(statement.serverName(), statement.query(), statement.declaredTypes()),
                    Expected.injected(Expected.Kind.PARSE, true, null, null, forgetting(statement.serverName())));
            return statement.serverName();
        }
        String shared = names.sharedName(statement.query(), shape);
        if (server.hasPrepared(shared)) {
            return shared;
        }
        // With the parameter types the client's Parse resolved, as PostgreSQL re-plans a statement.
        prepare(new Parse(shared, statement.query(), shape.parameterTypes()),
                Expected.injected(Expected.Kind.PARSE, true, null, null, forgetting(shared)));
        StatementShape.Collector described = new StatementShape.Collector();
        server.write(Frames.of(new Describe(ObjectKind.STATEMENT, shared), alloc));
        server.write(Frames.of(Flush.INSTANCE, alloc));
        // Held before the entry is added: should the entry fail at once, resume() sends the frame on.
        checking = true;
        held.addFirst(frame);
        queue.add(Expected.injected(Expected.Kind.DESCRIBE, false, described,
                () -> checked(shape, shared, described.shape()), this::resume));
        return null;
    }

    /** The re-prepared statement {@code shared} was described as {@code now}: sends the held messages, or fails the first. */
    private void checked(StatementShape fixed, String shared, StatementShape now) {
        if (now != null && !fixed.sameResultAs(now)) {
            // The client's statement keeps its row type; this one no longer has it, here or anywhere.
            server.forgetPrepared(shared);
            server.write(Frames.of(new Close(ObjectKind.STATEMENT, shared), alloc));
            queue.add(Expected.injected(Expected.Kind.CLOSE, false, null, null, null));
            Frame asked = held.pollFirst();
            byte type = asked.type();
            asked.release();
            fail(type == Bind.TYPE ? Expected.Kind.BIND : Expected.Kind.DESCRIBE, postgresError("0A000",
                    "cached plan must not change result type", "plancache.c", "RevalidateCachedQuery"));
            if (type == Query.TYPE) {
                // A simple Query (SQL EXECUTE) ends with ReadyForQuery: the Sync's.
                server.write(Frames.of(Sync.INSTANCE, alloc));
                queue.add(Expected.forward(Expected.Kind.SYNC));
                extendedSinceSync = false;
            }
        } else if (held.peekFirst().type() == Query.TYPE) {
            syncInjected();
        }
        resume();
    }

    /** Sends what was held while a statement was checked, up to the next check. */
    private void resume() {
        checking = false;
        while (!checking && !held.isEmpty()) {
            dispatch(held.pollFirst());
        }
        // Called while reading the server's answers: nothing else flushes what was sent.
        server.flush();
    }

    /**
     * A simple Query that executes or deallocates one of the client's protocol-level statements in SQL
     * ({@link SqlStatementName}) runs with the statement's server-side name, as on PostgreSQL, where the
     * two share one namespace. Returns whether it took {@code frame} (sent, or held while the statement is checked).
     */
    private boolean renamedInSql(Frame frame) {
        ByteBuf body = frame.content();
        int i = body.readerIndex();
        while (i < body.writerIndex() && Character.isWhitespace(body.getByte(i))) {
            i++;
        }
        int first = i < body.writerIndex() ? body.getByte(i) | 0x20 : 0;
        if (first != 'e' && first != 'd') {
            return false;
        }
        String sql = Query.decode(body.duplicate()).query();
        SqlStatementName named = SqlStatementName.of(sql);
        ClientStatement statement = named == null ? null : statements.get(named.name());
        if (statement == null) {
            return false;
        }
        String serverName;
        if (named.deallocate()) {
            statements.remove(named.name());
            serverName = statement.serverName();
            if (!server.hasPrepared(serverName)) {
                // DEALLOCATE needs the statement on this server: the Parse, and a Sync so that its failure cannot swallow the query.
                prepare(new Parse(serverName, statement.query(), statement.declaredTypes()),
                        Expected.injected(Expected.Kind.PARSE, false, null, null, null));
                syncInjected();
            }
            server.forgetPrepared(serverName);
        } else {
            boolean present = server.hasPrepared(statement.serverName());
            serverName = serverNameOf(statement, frame);
            if (serverName == null) {
                return true;
            }
            if (!present && statement.shape() == null) {
                // Re-prepared as the client parsed it, unchecked (it was never described).
                syncInjected();
            }
        }
        frame.release();
        forward(Frames.of(new Query(named.rename(sql, serverName)), alloc), Expected.Kind.QUERY);
        return true;
    }

    /** Ends the proxy's own extended-protocol messages before a simple Query; the ReadyForQuery is dropped. */
    private void syncInjected() {
        server.write(Frames.of(Sync.INSTANCE, alloc));
        queue.add(Expected.injected(Expected.Kind.SYNC, false, null, null, null));
        extendedSinceSync = false;
    }

    /** Re-prepares the client's unnamed statement where the server's unnamed statement is another. */
    private void ensureUnnamed(ClientStatement statement) {
        if (server.unnamedStatement() != statement) {
            server.write(Frames.of(new Parse("", statement.query(), statement.declaredTypes()), alloc));
            server.unnamedStatement(statement);
            queue.add(Expected.injected(Expected.Kind.PARSE, true, null, null, () -> server.unnamedStatement(null)));
        }
    }

    /**
     * Makes the server fail here with an error of its own, which the client sees as {@code error}: the
     * server then skips to the Sync and aborts the transaction, as it would have for the client's message.
     */
    private void fail(Expected.Kind kind, ErrorResponse error) {
        extendedSinceSync = true;
        server.write(Frames.of(new Bind("", NO_SUCH_STATEMENT, List.of(), List.of(), List.of()), alloc));
        queue.add(Expected.failing(kind, Frames.of(error, alloc)));
    }

    /**
     * An error as PostgreSQL reports it, without the {@code pgherd:} prefix: it stands for the error the
     * server would have given the client directly, and clients recognize some by their fields (asyncpg
     * re-prepares on 0A000 from RevalidateCachedQuery).
     */
    private static ErrorResponse postgresError(String sqlState, String message, String file, String routine) {
        Map<Byte, String> fields = new LinkedHashMap<>();
        fields.put(ErrorResponse.SEVERITY, "ERROR");
        fields.put(ErrorResponse.SEVERITY_NON_LOCALIZED, "ERROR");
        fields.put(ErrorResponse.CODE, sqlState);
        fields.put(ErrorResponse.MESSAGE, message);
        fields.put(ErrorResponse.FILE, file);
        fields.put(ErrorResponse.ROUTINE, routine);
        return new ErrorResponse(fields);
    }

    private Runnable forgetting(String serverName) {
        ServerConnection target = server;
        return () -> target.forgetPrepared(serverName);
    }

    /**
     * Sends {@code parse} (to be answered as {@code entry}), closing least recently used statements
     * beyond the limit first.
     */
    private void prepare(Parse parse, Expected entry) {
        ServerConnection target = server;
        List<String> evicted = server.addPrepared(parse.name(), preparedLimit);
        for (String old : evicted) {
            server.write(Frames.of(new Close(ObjectKind.STATEMENT, old), alloc));
            // A Close the server skips leaves its statement there, and the server is known to have it.
            queue.add(Expected.injected(Expected.Kind.CLOSE, false, null, null, () -> target.addPrepared(old, 0)));
        }
        server.write(Frames.of(parse, alloc));
        queue.add(entry);
    }
}

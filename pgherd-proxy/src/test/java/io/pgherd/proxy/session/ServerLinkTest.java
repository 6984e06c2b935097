package io.pgherd.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgherd.protocol.Bind;
import io.pgherd.protocol.BindComplete;
import io.pgherd.protocol.Close;
import io.pgherd.protocol.CloseComplete;
import io.pgherd.protocol.CommandComplete;
import io.pgherd.protocol.DataRow;
import io.pgherd.protocol.Describe;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.Execute;
import io.pgherd.protocol.Flush;
import io.pgherd.protocol.FormatCode;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.ObjectKind;
import io.pgherd.protocol.ParameterDescription;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.ParseComplete;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.Query;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.RowDescription;
import io.pgherd.protocol.Sync;
import io.pgherd.proxy.backend.PoolKey;
import io.pgherd.proxy.backend.ServerConnection;

/**
 * The statement bookkeeping of a link, message by message: what reaches the server for a client's
 * Parse, Bind, Describe and Close, and what the client gets back, on the server that prepared a
 * statement and on another one after the statement's columns changed there.
 */
class ServerLinkTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final String QUERY = "select * from t where a = $1";

    private final PreparedStatements names = new PreparedStatements();
    /** The client's statements, which outlive each link as they outlive each transaction. */
    private final Map<String, ClientStatement> statements = new HashMap<>();
    private final List<String> toClient = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    private ServerConnection server() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        return ServerConnection.loggedIn(null, new PoolKey("primary", "db", "user"), channel);
    }

    private ServerLink link(ServerConnection server, boolean renaming) {
        return new ServerLink(server, frame -> {
            toClient.add(received(frame));
            frame.release();
        }, statements, names, 200, renaming, ALLOC);
    }

    private static Frame frame(PgMessage message) {
        return Frames.of(message, ALLOC);
    }

    /** What the link wrote to the server since the last call. */
    private static List<String> written(ServerConnection server) {
        EmbeddedChannel channel = (EmbeddedChannel) server.channel();
        channel.flush();
        List<String> out = new ArrayList<>();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            Frame f = (Frame) o;
            out.add(show(f));
            f.release();
        }
        return out;
    }

    /** A message the link sent to the server. */
    private static String show(Frame f) {
        return switch (f.type()) {
            case Parse.TYPE -> {
                Parse p = Parse.decode(f.content().duplicate());
                yield "Parse " + p.name() + " " + p.parameterTypeOids();
            }
            case Bind.TYPE -> "Bind " + Bind.decode(f.content().duplicate()).statement();
            case Describe.TYPE -> "Describe " + Describe.decode(f.content().duplicate()).name();
            case Close.TYPE -> "Close " + Close.decode(f.content().duplicate()).name();
            case Execute.TYPE -> "Execute";
            case Flush.TYPE -> "Flush";
            case Sync.TYPE -> "Sync";
            case Query.TYPE -> "Query " + Query.decode(f.content().duplicate()).query();
            default -> String.valueOf((char) f.type());
        };
    }

    /** A message the client got. */
    private static String received(Frame f) {
        return switch (f.type()) {
            case ErrorResponse.TYPE -> {
                ErrorResponse e = ErrorResponse.decode(f.content().duplicate());
                yield "Error " + e.code() + " " + e.message() + e.field(ErrorResponse.ROUTINE).map(r -> " at " + r).orElse("");
            }
            case ParseComplete.TYPE -> "ParseComplete";
            case BindComplete.TYPE -> "BindComplete";
            case CloseComplete.TYPE -> "CloseComplete";
            case RowDescription.TYPE -> "RowDescription";
            case ParameterDescription.TYPE -> "ParameterDescription";
            case DataRow.TYPE -> "DataRow";
            case CommandComplete.TYPE -> "CommandComplete";
            case ReadyForQuery.TYPE -> "ReadyForQuery";
            default -> String.valueOf((char) f.type());
        };
    }

    private static RowDescription columns(String... names) {
        List<RowDescription.Field> fields = new ArrayList<>();
        for (String n : names) {
            fields.add(new RowDescription.Field(n, 16384, (short) fields.size(), 23, (short) 4, -1, FormatCode.TEXT));
        }
        return new RowDescription(fields);
    }

    private static void answer(ServerLink link, PgMessage... messages) {
        for (PgMessage m : messages) {
            assertThat(link.accept(frame(m))).as("%s expected", m).isTrue();
        }
    }

    private static Frame bind(String statement) {
        return frame(new Bind("", statement, List.of(FormatCode.TEXT), List.of("1".getBytes(StandardCharsets.UTF_8)),
                List.of()));
    }

    /** The client prepares QUERY as "q" on {@code server}, which describes it with {@code described}. */
    private String prepareOn(ServerConnection server, RowDescription described) {
        ServerLink link = link(server, true);
        link.send(frame(new Parse("q", QUERY, List.of())));
        link.send(frame(Sync.INSTANCE));
        List<String> sent = written(server);
        String own = sent.get(0).split(" ")[1];
        assertThat(sent).containsExactly("Parse " + own + " []", "Describe " + own, "Sync");
        answer(link, ParseComplete.INSTANCE, new ParameterDescription(List.of(23)), described, ReadyForQuery.IDLE);
        assertThat(toClient).as("the Describe was the proxy's own").containsExactly("ParseComplete", "ReadyForQuery");
        assertThat(link.isQuiet()).isTrue();
        toClient.clear();
        return own;
    }

    @AfterEach
    void nothingLeftOver() {
        for (EmbeddedChannel channel : channels) {
            assertThat(written(ServerConnection.loggedIn(null, null, channel))).as("written and not checked").isEmpty();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void everyParseOfTheClientReallyPreparesUnderANameOfItsOwn() {
        ServerConnection server = server();
        String first = prepareOn(server, columns("a"));
        statements.clear();
        String second = prepareOn(server, columns("a"));
        assertThat(second).as("the same text parsed again is a new statement on the server").isNotEqualTo(first);
    }

    @Test
    void closeReachesTheServerAndTheNameIsGone() {
        ServerConnection server = server();
        String own = prepareOn(server, columns("a"));
        ServerLink link = link(server, true);
        link.send(frame(new Close(ObjectKind.STATEMENT, "q")));
        link.send(bind("q"));
        link.send(frame(Sync.INSTANCE));
        assertThat(written(server)).containsExactly("Close " + own, "Bind q", "Sync");
        assertThat(server.hasPrepared(own)).isFalse();
        assertThat(statements).isEmpty();
    }

    /** Prepares "q" (one column, a) on a server, then binds and executes it through a link to {@code other}. */
    private ServerLink bindElsewhere(ServerConnection other) {
        prepareOn(server(), columns("a"));
        ServerLink link = link(other, true);
        link.send(bind("q"));
        link.send(frame(new Execute("", 0)));
        link.send(frame(Sync.INSTANCE));
        return link;
    }

    @Test
    void statementReparedWithOtherColumnsFailsAsPostgresAndTheServerSkipsToSync() {
        ServerConnection other = server();
        ServerLink link = bindElsewhere(other);
        List<String> sent = written(other);
        String shared = sent.get(0).split(" ")[1];
        assertThat(sent).as("re-prepared with the parameter types the client's Parse resolved, then held")
                .containsExactly("Parse " + shared + " [23]", "Describe " + shared, "Flush");
        assertThat(link.isQuiet()).isFalse();

        answer(link, ParseComplete.INSTANCE, new ParameterDescription(List.of(23)), columns("a", "b"));
        assertThat(written(other)).containsExactly("Close " + shared, "Bind pgherd_no_such_statement", "Execute", "Sync");
        assertThat(other.hasPrepared(shared)).isFalse();
        answer(link, CloseComplete.INSTANCE, new ErrorResponse(Map.of(ErrorResponse.SEVERITY, "ERROR",
                ErrorResponse.CODE, "26000", ErrorResponse.MESSAGE, "prepared statement \"pgherd_no_such_statement\" does not exist")),
                ReadyForQuery.IDLE);
        assertThat(toClient).containsExactly(
                "Error 0A000 cached plan must not change result type at RevalidateCachedQuery", "ReadyForQuery");
        assertThat(link.isQuiet()).isTrue();
    }

    @Test
    void statementReparedWithTheSameColumnsRunsAndIsSharedWithoutAnotherCheck() {
        ServerConnection other = server();
        ServerLink link = bindElsewhere(other);
        String shared = written(other).get(0).split(" ")[1];
        answer(link, ParseComplete.INSTANCE, new ParameterDescription(List.of(23)), columns("a"));
        assertThat(written(other)).containsExactly("Bind " + shared, "Execute", "Sync");
        answer(link, BindComplete.INSTANCE, new DataRow(List.of(new byte[] {'1'})), new CommandComplete("SELECT 1"),
                ReadyForQuery.IDLE);
        assertThat(toClient).containsExactly("BindComplete", "DataRow", "CommandComplete", "ReadyForQuery");

        // Another client's statement of the same text and shape uses the same server statement as is.
        statements.clear();
        toClient.clear();
        prepareOn(server(), columns("a"));
        ServerLink next = link(other, true);
        next.send(bind("q"));
        assertThat(written(other)).containsExactly("Bind " + shared);
        answer(next, BindComplete.INSTANCE);
    }

    @Test
    void sqlExecuteRunsWithTheServerNameAndFailsAsPostgresWhenTheColumnsChanged() {
        String own = prepareOn(server(), columns("a"));
        ServerConnection other = server();
        ServerLink link = link(other, true);
        link.send(frame(new Query("EXECUTE q(1)")));
        String shared = written(other).get(0).split(" ")[1];
        answer(link, ParseComplete.INSTANCE, new ParameterDescription(List.of(23)), columns("a", "b"));
        assertThat(written(other)).containsExactly("Close " + shared, "Bind pgherd_no_such_statement", "Sync");
        answer(link, CloseComplete.INSTANCE, new ErrorResponse(Map.of(ErrorResponse.SEVERITY, "ERROR",
                ErrorResponse.CODE, "26000", ErrorResponse.MESSAGE, "no such statement")), ReadyForQuery.IDLE);
        assertThat(toClient).containsExactly(
                "Error 0A000 cached plan must not change result type at RevalidateCachedQuery", "ReadyForQuery");
        assertThat(link.isQuiet()).isTrue();

        ServerConnection third = server();
        ServerLink last = link(third, true);
        last.send(frame(new Query("deallocate q")));
        assertThat(statements).isEmpty();
        assertThat(written(third)).as("prepared where it is missing, so that DEALLOCATE finds it")
                .containsExactly("Parse " + own + " []", "Sync", "Query deallocate \"" + own + "\"");
        answer(last, ParseComplete.INSTANCE, ReadyForQuery.IDLE, new CommandComplete("DEALLOCATE"), ReadyForQuery.IDLE);
    }

    @Test
    void unnamedStatementFollowsItsClientToAnotherServer() {
        ServerConnection first = server();
        ServerLink link = link(first, true);
        link.send(frame(new Parse("", QUERY, List.of(23))));
        link.send(frame(Sync.INSTANCE));
        assertThat(written(first)).containsExactly("Parse  [23]", "Sync");
        answer(link, ParseComplete.INSTANCE, ReadyForQuery.IDLE);

        ServerConnection second = server();
        ServerLink there = link(second, true);
        there.send(bind(""));
        there.send(frame(Sync.INSTANCE));
        assertThat(written(second)).containsExactly("Parse  [23]", "Bind ", "Sync");
        answer(there, ParseComplete.INSTANCE, BindComplete.INSTANCE, ReadyForQuery.IDLE);
        assertThat(toClient).containsExactly("ParseComplete", "ReadyForQuery", "BindComplete", "ReadyForQuery");
    }

    @Test
    void unnamedStatementOfAnotherClientIsNeverBound() {
        ServerConnection server = server();
        ServerLink link = link(server, true);
        link.send(frame(new Parse("", QUERY, List.of(23))));
        link.send(frame(Sync.INSTANCE));
        written(server);
        answer(link, ParseComplete.INSTANCE, ReadyForQuery.IDLE);
        toClient.clear();

        statements.clear();
        ServerLink other = link(server, true);
        other.send(bind(""));
        other.send(frame(Sync.INSTANCE));
        assertThat(written(server)).containsExactly("Bind pgherd_no_such_statement", "Sync");
        answer(other, new ErrorResponse(Map.of(ErrorResponse.SEVERITY, "ERROR", ErrorResponse.CODE, "26000",
                ErrorResponse.MESSAGE, "prepared statement \"pgherd_no_such_statement\" does not exist")), ReadyForQuery.IDLE);
        assertThat(toClient).containsExactly("Error 26000 unnamed prepared statement does not exist at exec_bind_message",
                "ReadyForQuery");
    }

    @Test
    void sessionPoolingPassesStatementsThroughUntouched() {
        ServerConnection server = server();
        ServerLink link = link(server, false);
        link.send(frame(new Parse("q", QUERY, List.of())));
        link.send(bind("q"));
        link.send(frame(new Close(ObjectKind.STATEMENT, "q")));
        link.send(frame(Sync.INSTANCE));
        assertThat(written(server)).containsExactly("Parse q []", "Bind q", "Close q", "Sync");
        answer(link, ParseComplete.INSTANCE, BindComplete.INSTANCE, CloseComplete.INSTANCE, ReadyForQuery.IDLE);
        assertThat(toClient).containsExactly("ParseComplete", "BindComplete", "CloseComplete", "ReadyForQuery");
        assertThat(statements).isEmpty();
    }
}

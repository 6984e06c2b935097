package io.pgherd.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pgherd.protocol.BindComplete;
import io.pgherd.protocol.CloseComplete;
import io.pgherd.protocol.CommandComplete;
import io.pgherd.protocol.DataRow;
import io.pgherd.protocol.EmptyQueryResponse;
import io.pgherd.protocol.ErrorResponse;
import io.pgherd.protocol.FormatCode;
import io.pgherd.protocol.Frame;
import io.pgherd.protocol.NoData;
import io.pgherd.protocol.NoticeResponse;
import io.pgherd.protocol.NotificationResponse;
import io.pgherd.protocol.ParameterDescription;
import io.pgherd.protocol.ParameterStatus;
import io.pgherd.protocol.ParseComplete;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.PortalSuspended;
import io.pgherd.protocol.ReadyForQuery;
import io.pgherd.protocol.RowDescription;
import io.pgherd.proxy.session.Expected.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which server answers reach the client, in which order, and that every frame handed to the queue
 * is forwarded or released exactly once.
 */
class ResponseQueueTest {

    /** Unpooled, so that a released frame keeps reference count 0 instead of being reused; direct, so leak-tracked. */
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private final List<Frame> created = new ArrayList<>();
    private final List<Frame> forwarded = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final ResponseQueue queue = new ResponseQueue(frame -> {
        assertThat(frame.refCnt()).as("reference count of a frame given to the client").isEqualTo(1);
        forwarded.add(frame);
    });

    private Frame frame(PgMessage message) {
        Frame frame = Frames.of(message, ALLOC);
        created.add(frame);
        return frame;
    }

    private Frame parseComplete() {
        return frame(ParseComplete.INSTANCE);
    }

    private Frame bindComplete() {
        return frame(BindComplete.INSTANCE);
    }

    private Frame rowDescription() {
        return frame(new RowDescription(List.of(new RowDescription.Field("n", 0, (short) 0, 23, (short) 4, -1,
                FormatCode.TEXT))));
    }

    private Frame dataRow(String value) {
        return frame(new DataRow(List.of(value.getBytes(StandardCharsets.UTF_8))));
    }

    private Frame commandComplete(String tag) {
        return frame(new CommandComplete(tag));
    }

    private Frame readyForQuery() {
        return frame(ReadyForQuery.IDLE);
    }

    private Frame error(String message) {
        return frame(new ErrorResponse(Map.of((byte) 'S', "ERROR", (byte) 'V', "ERROR", (byte) 'C', "42P01",
                (byte) 'M', message)));
    }

    private Frame notice(String message) {
        return frame(new NoticeResponse(Map.of((byte) 'S', "NOTICE", (byte) 'V', "NOTICE", (byte) 'C', "00000",
                (byte) 'M', message)));
    }

    private Runnable event(String name) {
        return () -> events.add(name);
    }

    private Expected forward(Kind kind, String name) {
        return Expected.forward(kind, event(name + " done"), event(name + " failed"));
    }

    private Expected injected(Kind kind, boolean errorsToClient, String name) {
        return Expected.injected(kind, errorsToClient, null, event(name + " done"), event(name + " failed"));
    }

    /** Feeds frames in order; each must be expected. */
    private void accept(Frame... frames) {
        for (Frame f : frames) {
            assertThat(queue.accept(f)).as("accepted %s", f).isTrue();
        }
    }

    private void assertForwarded(Frame... expected) {
        assertThat(forwarded).usingElementComparator((a, b) -> a == b ? 0 : 1).containsExactly(expected);
    }

    /** Every frame was given to the client once (still live, released here) or released by the queue. */
    @AfterEach
    void everyFrameWasForwardedOrReleasedExactlyOnce() {
        Set<Frame> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Frame f : forwarded) {
            assertThat(seen.add(f)).as("%s given to the client twice", f).isTrue();
            assertThat(f.refCnt()).as("forwarded %s", f).isEqualTo(1);
            f.release();
        }
        for (Frame f : created) {
            assertThat(f.refCnt()).as("%s at the end", f).isZero();
        }
    }

    @Test
    void simpleQueryAnswersReachTheClientInOrder() {
        queue.add(forward(Kind.QUERY, "query"));
        Frame t = rowDescription();
        Frame d1 = dataRow("1");
        Frame d2 = dataRow("2");
        Frame c = commandComplete("SELECT 2");
        Frame z = readyForQuery();

        accept(t, d1, d2, c);
        assertThat(queue.size()).isEqualTo(1);
        accept(z);

        assertForwarded(t, d1, d2, c, z);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(events).containsExactly("query done");
    }

    @Test
    void extendedProtocolEntriesEndOneByOneWithTheirOwnAnswer() {
        queue.add(forward(Kind.PARSE, "parse"));
        queue.add(forward(Kind.BIND, "bind"));
        queue.add(forward(Kind.DESCRIBE, "describe"));
        queue.add(forward(Kind.EXECUTE, "execute"));
        queue.add(forward(Kind.CLOSE, "close"));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame one = parseComplete();
        Frame two = bindComplete();
        Frame t = rowDescription();
        Frame d = dataRow("x");
        Frame c = commandComplete("SELECT 1");
        Frame three = frame(CloseComplete.INSTANCE);
        Frame z = readyForQuery();

        accept(one, two);
        assertThat(queue.size()).isEqualTo(4);
        accept(t);
        assertThat(queue.size()).isEqualTo(3);
        accept(d);
        assertThat(queue.size()).as("DataRow does not end Execute").isEqualTo(3);
        accept(c, three, z);

        assertForwarded(one, two, t, d, c, three, z);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(events).containsExactly("parse done", "bind done", "describe done", "execute done", "close done",
                "sync done");
    }

    @Test
    void describeOfAStatementEndsWithNoDataAfterParameterDescription() {
        queue.add(forward(Kind.DESCRIBE, "describe"));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame params = frame(new ParameterDescription(List.of(23, 25)));
        Frame noData = frame(NoData.INSTANCE);
        Frame z = readyForQuery();

        accept(params);
        assertThat(queue.size()).isEqualTo(2);
        accept(noData, z);

        assertForwarded(params, noData, z);
        assertThat(events).containsExactly("describe done", "sync done");
    }

    @Test
    void executeEndsWithEmptyQueryResponseOrPortalSuspended() {
        queue.add(forward(Kind.EXECUTE, "empty"));
        queue.add(forward(Kind.EXECUTE, "suspended"));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame empty = frame(EmptyQueryResponse.INSTANCE);
        Frame row = dataRow("1");
        Frame suspended = frame(PortalSuspended.INSTANCE);
        Frame z = readyForQuery();

        accept(empty, row, suspended, z);

        assertForwarded(empty, row, suspended, z);
        assertThat(events).containsExactly("empty done", "suspended done", "sync done");
    }

    @Test
    void injectedQueryAnswersAreDroppedButItsErrorReachesTheClient() {
        queue.add(injected(Kind.QUERY, true, "restore"));
        queue.add(forward(Kind.QUERY, "client"));
        Frame t = rowDescription();
        Frame d = dataRow("x");
        Frame e = error("relation \"nope\" does not exist");
        Frame z1 = readyForQuery();
        Frame c = commandComplete("SELECT 0");
        Frame z2 = readyForQuery();

        accept(t, d, e, z1, c, z2);

        assertForwarded(e, c, z2);
        assertThat(events).as("an error does not end a simple query; its ReadyForQuery does, as a failure")
                .containsExactly("restore failed", "client done");
    }

    @Test
    void injectedQueryErrorIsDroppedWhenNotForTheClient() {
        queue.add(injected(Kind.QUERY, false, "capture"));
        Frame e = error("boom");
        Frame z = readyForQuery();

        accept(e, z);

        assertForwarded();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(events).as("a query that met an error never counts as done").containsExactly("capture failed");
    }

    @Test
    void parameterStatusReachesTheClientOnlyForTheClientsOwnMessages() {
        queue.add(injected(Kind.QUERY, true, "restore"));
        queue.add(forward(Kind.QUERY, "client"));
        Frame proxys = frame(new ParameterStatus("application_name", "restored"));
        Frame z1 = readyForQuery();
        Frame clients = frame(new ParameterStatus("application_name", "mine"));
        Frame c = commandComplete("SET");
        Frame z2 = readyForQuery();

        accept(proxys, z1, clients, c, z2);

        assertForwarded(clients, c, z2);
    }

    @Test
    void observerSeesEveryMessageOfItsEntryWhileTheFrameIsLive() {
        List<Character> seen = new ArrayList<>();
        queue.add(Expected.injected(Kind.QUERY, false, f -> {
            assertThat(f.refCnt()).isEqualTo(1);
            seen.add((char) f.type());
        }, null, null));
        queue.add(forward(Kind.QUERY, "client"));

        accept(rowDescription(), dataRow("a"), notice("not observed"), dataRow("b"), commandComplete("SELECT 2"),
                readyForQuery());

        assertThat(seen).containsExactly('T', 'D', 'D', 'C', 'Z');
        assertThat(forwarded).extracting(Frame::type).containsExactly((byte) 'N');
    }

    @Test
    void syntheticAnswerWithNothingPendingIsDeliveredAtOnce() {
        Frame synthetic = parseComplete();

        queue.add(Expected.synthetic(synthetic));

        assertForwarded(synthetic);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void syntheticAnswerWaitsUntilThePreviousEntryIsAnswered() {
        Frame serverParse = parseComplete();
        Frame synthetic = parseComplete();
        Frame bind = bindComplete();
        Frame z = readyForQuery();
        queue.add(forward(Kind.PARSE, "parse a"));
        queue.add(Expected.synthetic(synthetic));
        queue.add(forward(Kind.BIND, "bind"));
        queue.add(forward(Kind.SYNC, "sync"));

        assertForwarded();
        accept(serverParse);
        assertForwarded(serverParse, synthetic);
        accept(bind, z);

        assertForwarded(serverParse, synthetic, bind, z);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void syntheticAnswerFollowsTheDroppedAnswerOfAnInjectedParse() {
        Frame injectedParse = parseComplete();
        Frame synthetic = parseComplete();
        Frame bind = bindComplete();
        queue.add(injected(Kind.PARSE, true, "re-parse"));
        queue.add(Expected.synthetic(synthetic));
        queue.add(forward(Kind.BIND, "bind"));

        accept(injectedParse);
        assertForwarded(synthetic);
        accept(bind);

        assertForwarded(synthetic, bind);
        assertThat(events).containsExactly("re-parse done", "bind done");
    }

    @Test
    void consecutiveSyntheticAnswersAreDeliveredTogether() {
        Frame first = parseComplete();
        Frame second = parseComplete();
        Frame server = bindComplete();
        queue.add(forward(Kind.BIND, "bind"));
        queue.add(Expected.synthetic(first));
        queue.add(Expected.synthetic(second));
        queue.add(forward(Kind.SYNC, "sync"));

        accept(server);

        assertForwarded(server, first, second);
        assertThat(queue.size()).isEqualTo(1);
        queue.clear();
    }

    @Test
    void errorInTheExtendedProtocolSkipsEverythingUpToSync() {
        queue.add(forward(Kind.PARSE, "parse"));
        queue.add(forward(Kind.BIND, "bind"));
        Frame skippedSynthetic = parseComplete();
        queue.add(Expected.synthetic(skippedSynthetic));
        queue.add(forward(Kind.DESCRIBE, "describe"));
        queue.add(forward(Kind.EXECUTE, "execute"));
        queue.add(forward(Kind.SYNC, "sync"));
        queue.add(forward(Kind.QUERY, "next"));
        Frame e = error("syntax error");
        Frame z = readyForQuery();
        Frame c = commandComplete("SELECT 1");
        Frame z2 = readyForQuery();

        accept(e);
        assertThat(queue.size()).as("Sync and what follows it remain").isEqualTo(2);
        assertThat(skippedSynthetic.refCnt()).as("skipped synthetic answer is released").isZero();
        accept(z, c, z2);

        assertForwarded(e, z, c, z2);
        assertThat(events).containsExactly("parse failed", "bind failed", "describe failed", "execute failed", "sync done",
                "next done");
    }

    @Test
    void errorOnALaterEntryFailsOnlyThatEntryAndTheRestBeforeSync() {
        queue.add(forward(Kind.PARSE, "parse"));
        queue.add(forward(Kind.BIND, "bind"));
        queue.add(forward(Kind.EXECUTE, "execute"));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame one = parseComplete();
        Frame two = bindComplete();
        Frame row = dataRow("1");
        Frame e = error("division by zero");
        Frame z = readyForQuery();

        accept(one, two, row, e, z);

        assertForwarded(one, two, row, e, z);
        assertThat(events).containsExactly("parse done", "bind done", "execute failed", "sync done");
    }

    @Test
    void errorOfAnInjectedExtendedMessageSkipsTheClientsMessagesToo() {
        queue.add(injected(Kind.PARSE, true, "re-parse"));
        queue.add(forward(Kind.BIND, "bind"));
        Frame synthetic = parseComplete();
        queue.add(Expected.synthetic(synthetic));
        queue.add(forward(Kind.EXECUTE, "execute"));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame e = error("prepared statement is gone");
        Frame z = readyForQuery();

        accept(e, z);

        assertForwarded(e, z);
        assertThat(events).containsExactly("re-parse failed", "bind failed", "execute failed", "sync done");
    }

    @Test
    void errorOfAnInjectedExtendedMessageIsDroppedWhenNotForTheClient() {
        queue.add(injected(Kind.CLOSE, false, "evict"));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame e = error("no such statement");
        Frame z = readyForQuery();

        accept(e, z);

        assertForwarded(z);
        assertThat(events).containsExactly("evict failed", "sync done");
    }

    @Test
    void errorWithoutSyncPendingSkipsEveryRemainingEntry() {
        queue.add(forward(Kind.PARSE, "parse"));
        Frame synthetic = parseComplete();
        queue.add(Expected.synthetic(synthetic));
        queue.add(forward(Kind.BIND, "bind"));
        Frame e = error("bad");

        accept(e);

        assertForwarded(e);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(events).containsExactly("parse failed", "bind failed");
    }

    @Test
    void whatAFailureHookSendsBeforeAnySyncIsSkippedAtOnce() {
        // The hook of the failed entry sends more (a held Bind the proxy had been checking): the server
        // skips it too, and the hook already knows so (ServerLink then slips in no Parse for it).
        queue.add(Expected.forward(Kind.PARSE, null, () -> {
            events.add("parse failed, skipping " + queue.isSkipping());
            queue.add(forward(Kind.BIND, "held bind"));
        }));
        Frame e = error("bad");

        accept(e);

        assertForwarded(e);
        assertThat(queue.isSkipping()).isTrue();
        assertThat(events).containsExactly("parse failed, skipping true", "held bind failed");
    }

    @Test
    void whatAFailureHookSendsAfterAQueuedSyncIsAnswered() {
        queue.add(Expected.forward(Kind.PARSE, null, () -> {
            events.add("parse failed, skipping " + queue.isSkipping());
            queue.add(forward(Kind.BIND, "later bind"));
        }));
        queue.add(forward(Kind.SYNC, "sync"));
        Frame e = error("bad");

        accept(e);

        assertForwarded(e);
        assertThat(queue.isSkipping()).isFalse();
        assertThat(queue.size()).isEqualTo(2);
        assertThat(events).containsExactly("parse failed, skipping false");
    }

    @Test
    void errorAtSyncIsForwardedAndSyncEndsAtReadyForQuery() {
        queue.add(forward(Kind.SYNC, "sync"));
        queue.add(forward(Kind.QUERY, "next"));
        Frame e = error("could not serialize access");
        Frame z = readyForQuery();

        accept(e);
        assertThat(queue.size()).isEqualTo(2);
        accept(z);

        assertForwarded(e, z);
        assertThat(events).containsExactly("sync failed");
    }

    @Test
    void noticesAndNotificationsAlwaysReachTheClient() {
        Frame idleNotice = notice("idle");
        Frame idleNotification = frame(new NotificationResponse(42, "jobs", "1"));
        accept(idleNotice, idleNotification);
        queue.add(injected(Kind.QUERY, false, "capture"));
        Frame injectedNotice = notice("from the proxy's query");
        Frame injectedNotification = frame(new NotificationResponse(42, "jobs", "2"));
        Frame dropped = commandComplete("SELECT 1");
        Frame z = readyForQuery();

        accept(injectedNotice, dropped, injectedNotification, z);

        assertForwarded(idleNotice, idleNotification, injectedNotice, injectedNotification);
        assertThat(events).containsExactly("capture done");
    }

    @Test
    void noticeDoesNotEndAnEntry() {
        queue.add(forward(Kind.PARSE, "parse"));
        Frame n = notice("hello");

        accept(n);

        assertThat(queue.size()).isEqualTo(1);
        queue.clear();
        assertForwarded(n);
    }

    @Test
    void answerWithNothingExpectedIsRefusedAndReleased() {
        Frame stray = commandComplete("SELECT 1");

        assertThat(queue.accept(stray)).isFalse();

        assertThat(stray.refCnt()).isZero();
        assertForwarded();
    }

    @Test
    void clearReleasesSyntheticAnswersAndFailsEveryEntry() {
        queue.add(forward(Kind.PARSE, "parse"));
        Frame first = parseComplete();
        Frame second = parseComplete();
        queue.add(Expected.synthetic(first));
        queue.add(injected(Kind.BIND, false, "bind"));
        queue.add(Expected.synthetic(second));
        queue.add(forward(Kind.SYNC, "sync"));

        queue.clear();

        assertThat(queue.isEmpty()).isTrue();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertForwarded();
        assertThat(events).containsExactly("parse failed", "bind failed", "sync failed");
    }

    @Test
    void hooksAreOptional() {
        queue.add(Expected.forward(Kind.PARSE));
        queue.add(Expected.forward(Kind.BIND));
        queue.add(Expected.forward(Kind.SYNC));
        queue.add(Expected.injected(Kind.QUERY, false, null, null, null));
        Frame one = parseComplete();
        Frame e = error("bad");
        Frame z = readyForQuery();

        accept(one, e, z, readyForQuery());
        queue.add(Expected.forward(Kind.QUERY));
        queue.clear();

        assertForwarded(one, e, z);
        assertThat(queue.isEmpty()).isTrue();
    }

    /**
     * One row of the table below: messages sent ({@code >X:name}) and server answers ({@code <X})
     * in the order they meet the queue; what reached the client, which hooks ran, and how many
     * answers the server still owes afterwards.
     */
    record Owed(String name, String script, String forwarded, String events, int owes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Owed> owedAfterErrors() {
        return List.of(
                new Owed("the rest of a batch sent after the error is skipped up to its Sync",
                        ">P:p >B:b >E:e <1 <2 <E >B:b2 >E:e2 >S:s <Z",
                        "1 2 E Z", "p done, b done, e failed, b2 failed, e2 failed, s done", 0),
                new Owed("a Parse slipped in after the error leaves the client's ReadyForQuery alone",
                        ">P:p >B:b >E:e <1 <2 <E >iP:reprepare >B:b2 >E:e2 >S:s <Z",
                        "1 2 E Z", "p done, b done, e failed, reprepare failed, b2 failed, e2 failed, s done", 0),
                new Owed("a Parse slipped in before the error is skipped with the rest",
                        ">E:e >iP:reprepare >B:b2 >E:e2 >S:s <E <Z",
                        "E Z", "e failed, reprepare failed, b2 failed, e2 failed, s done", 0),
                new Owed("a failing slipped-in Parse fails the client's messages up to Sync",
                        ">iP:reprepare >B:b >E:e >S:s <E <Z",
                        "E Z", "reprepare failed, b failed, e failed, s done", 0),
                new Owed("a made-up ParseComplete after the error is dropped, as the server sends none",
                        ">E:e <E >1:again >B:b >S:s <Z",
                        "E Z", "e failed, again failed, b failed, s done", 0),
                new Owed("a made-up CloseComplete after the error is dropped",
                        ">E:e <E >3:close >S:s <Z",
                        "E Z", "e failed, close failed, s done", 0),
                new Owed("a Close of an evicted statement slipped in after the error is skipped",
                        ">E:e <E >iC:evict >iP:reprepare >B:b >S:s <Z",
                        "E Z", "e failed, evict failed, reprepare failed, b failed, s done", 0),
                new Owed("a simple Query before the Sync is skipped too",
                        ">E:e <E >Q:q >S:s <Z",
                        "E Z", "e failed, q failed, s done", 0),
                new Owed("a Flush-style pause: the server answers only what came before the error",
                        ">P:p >B:b >E:e >D:d <1 <2 <E >S:s <Z",
                        "1 2 E Z", "p done, b done, e failed, d failed, s done", 0),
                new Owed("skipping ends at the Sync: the next batch is answered in full",
                        ">E:e <E >B:b >S:s <Z >B:b2 >E:e2 >S:s2 <2 <C <Z",
                        "E Z 2 C Z", "e failed, b failed, s done, b2 done, e2 done, s2 done", 0),
                new Owed("an error with its Sync already queued leaves the next batch alone",
                        ">B:b >E:e >S:s >P:p2 >S:s2 <2 <E <Z <1 <Z",
                        "2 E Z 1 Z", "b done, e failed, s done, p2 done, s2 done", 0),
                new Owed("two failing batches in one pipeline, the second sent after the first error",
                        ">P:p >E:e <1 <E >S:s >P:p2 >E:e2 <Z <1 <E >S:s2 <Z",
                        "1 E Z 1 E Z", "p done, e failed, s done, p2 done, e2 failed, s2 done", 0),
                new Owed("the Sync is still owed while the rest of the batch is skipped",
                        ">P:p >E:e <1 <E >B:b2 >S:s",
                        "1 E", "p done, e failed, b2 failed", 1),
                new Owed("a notice while skipping reaches the client",
                        ">E:e <E <N >S:s <Z",
                        "E N Z", "e failed, s done", 0),
                new Owed("an injected query that fails counts as failed, at its ReadyForQuery",
                        ">iQ:restore <E <Z",
                        "", "restore failed", 0),
                new Owed("an injected query that fails, then the client's query: only the client's answers",
                        ">iQ:restore >Q:q <E <Z <T <D <C <Z",
                        "T D C Z", "restore failed, q done", 0),
                new Owed("a failing simple query counts as failed and the next one as done",
                        ">Q:q1 >Q:q2 <E <Z <C <Z",
                        "E Z C Z", "q1 failed, q2 done", 0),
                new Owed("an error in a simple query sent inside a batch does not skip the rest",
                        ">P:p >Q:q >S:s <1 <E <Z <Z",
                        "1 E Z Z", "p done, q failed, s done", 0),
                new Owed("an error at Sync fails the Sync",
                        ">S:s <E <Z",
                        "E Z", "s failed", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("owedAfterErrors")
    void whatTheServerStillOwesIsExactAfterErrors(Owed row) {
        List<String> types = new ArrayList<>();
        ResponseQueue owed = new ResponseQueue(frame -> {
            types.add(String.valueOf((char) frame.type()));
            forwarded.add(frame);
        });
        for (String step : row.script().split(" ")) {
            if (step.startsWith("<")) {
                assertThat(owed.accept(serverFrame(step.charAt(1)))).as("%s: %s expected", row, step).isTrue();
            } else {
                owed.add(entry(step.substring(1, step.indexOf(':')), step.substring(step.indexOf(':') + 1)));
            }
        }
        assertThat(String.join(" ", types)).as("reached the client").isEqualTo(row.forwarded());
        assertThat(String.join(", ", events)).as("hooks").isEqualTo(row.events());
        assertThat(owed.size()).as("answers still owed").isEqualTo(row.owes());
    }

    private Expected entry(String code, String name) {
        return switch (code) {
            case "P" -> forward(Kind.PARSE, name);
            case "B" -> forward(Kind.BIND, name);
            case "D" -> forward(Kind.DESCRIBE, name);
            case "E" -> forward(Kind.EXECUTE, name);
            case "C" -> forward(Kind.CLOSE, name);
            case "S" -> forward(Kind.SYNC, name);
            case "Q" -> forward(Kind.QUERY, name);
            case "iP" -> injected(Kind.PARSE, true, name);
            case "iC" -> injected(Kind.CLOSE, false, name);
            case "iQ" -> injected(Kind.QUERY, false, name);
            case "1" -> Expected.synthetic(parseComplete(), event(name + " failed"));
            case "3" -> Expected.synthetic(frame(CloseComplete.INSTANCE), event(name + " failed"));
            default -> throw new IllegalArgumentException("no entry " + code);
        };
    }

    private Frame serverFrame(char type) {
        return switch (type) {
            case '1' -> parseComplete();
            case '2' -> bindComplete();
            case 'T' -> rowDescription();
            case 'D' -> dataRow("x");
            case 'C' -> commandComplete("SELECT 1");
            case 'E' -> error("boom");
            case 'N' -> notice("careful");
            case 'Z' -> readyForQuery();
            default -> throw new IllegalArgumentException("no frame " + type);
        };
    }
}

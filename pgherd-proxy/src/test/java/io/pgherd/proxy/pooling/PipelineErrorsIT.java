package io.pgherd.proxy.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.protocol.Bind;
import io.pgherd.protocol.Close;
import io.pgherd.protocol.Execute;
import io.pgherd.protocol.Flush;
import io.pgherd.protocol.ObjectKind;
import io.pgherd.protocol.Parse;
import io.pgherd.protocol.PgMessage;
import io.pgherd.protocol.Sync;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/**
 * Extended-protocol errors in the middle of a pipeline, the rest of the batch sent only after the
 * error came back (so the proxy has seen the error before it sees the rest): through the proxy the
 * client gets exactly the messages PostgreSQL sends it directly, in transaction mode, session mode
 * and with routing on. max_prepared_statements 1 makes the proxy close statements on the server,
 * so a Bind of a client's statement needs a Parse slipped in; a Close of a client's statement is
 * answered by the proxy, so a Parse of the same text needs none. A hang shows as a read timeout.
 */
@PostgresCluster(standby = true, replicas = 0)
class PipelineErrorsIT {
    private static final String POOL = "  pool:\n    pool_size: 1\n    max_prepared_statements: 1\n";
    static LocalCluster cluster;
    static ProxyFixture transaction;
    static ProxyFixture session;
    static ProxyFixture split;

    @BeforeAll
    static void start(LocalCluster c) {
        cluster = c;
        transaction = ProxyFixture.start(cluster, POOL);
        session = ProxyFixture.start(cluster, POOL.replace("  pool:\n", "  pool:\n    mode: session\n"));
        split = ProxyFixture.startSplit(cluster, POOL + "  consistency:\n    mode: eventual\n");
    }

    @AfterAll
    static void stop() {
        for (ProxyFixture p : new ProxyFixture[] {transaction, session, split}) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** One step: messages sent together, then everything read up to one ReadyForQuery per Sync, or up to an error without one. */
    private record Step(List<PgMessage> messages) {
        static Step of(PgMessage... messages) {
            return new Step(List.of(messages));
        }

        long syncs() {
            return messages.stream().filter(m -> m instanceof Sync).count();
        }
    }

    private static Parse parse(String name, String sql) {
        return new Parse(name, sql, List.of());
    }

    private static Bind bind(String statement) {
        return new Bind("", statement, List.of(), List.of(), List.of());
    }

    private static Execute execute() {
        return new Execute("", 0);
    }

    /** Runs the steps on one connection; each message as its type, an error with its SQLSTATE, ReadyForQuery with its status. */
    private static List<String> run(int port, List<Step> steps) throws IOException {
        List<String> got = new ArrayList<>();
        try (RawClient client = RawClient.login(port, "postgres", cluster.credentials().superuserPassword(), "postgres")) {
            for (Step step : steps) {
                for (PgMessage m : step.messages()) {
                    client.send(m);
                }
                long readyDue = step.syncs();
                RawClient.Message m;
                do {
                    m = client.receive();
                    readyDue -= m.type() == 'Z' ? 1 : 0;
                    switch (m.type()) {
                        case 'S', 'N' -> { }
                        case 'E' -> got.add("E" + m.sqlState());
                        case 'Z' -> got.add("Z" + (char) m.body()[0]);
                        case 'D' -> got.add("D" + new String(m.body(), 6, m.body().length - 6, StandardCharsets.UTF_8));
                        default -> got.add(String.valueOf(m.type()));
                    }
                } while (step.syncs() > 0 ? readyDue > 0 : m.type() != 'E');
                got.add("|");
            }
        }
        return got;
    }

    /** The steps run directly on the primary and through each proxy give the same messages. */
    private static void sameAsDirect(List<Step> steps) throws IOException {
        List<String> direct = run(cluster.primary().port(), steps);
        assertThat(run(transaction.port(), steps)).as("transaction mode").isEqualTo(direct);
        assertThat(run(session.port(), steps)).as("session mode").isEqualTo(direct);
        assertThat(run(split.port(), steps)).as("routing on").isEqualTo(direct);
    }

    @Test
    void aParseSlippedInAfterAnErrorNeverSwallowsTheReadyForQuery() throws IOException {
        for (int round = 0; round < 3; round++) {
            sameAsDirect(List.of(
                    // s_two evicts s_one from the server (max_prepared_statements 1)
                    Step.of(parse("s_one", "SELECT 1"), parse("s_two", "SELECT 2"), new Sync()),
                    Step.of(parse("", "SELECT 1/0"), bind(""), execute(), new Flush()),
                    // the server skips all of this; the proxy must slip in a Parse of s_one for the Bind
                    Step.of(bind("s_one"), execute(), bind("s_two"), execute(), new Sync()),
                    Step.of(bind("s_one"), execute(), bind("s_two"), execute(), new Sync()),
                    Step.of(new Sync())));
        }
    }

    @Test
    void aParseAnsweredByTheProxyAfterAnErrorIsSkippedAsOnTheServer() throws IOException {
        sameAsDirect(List.of(
                Step.of(parse("s_a", "SELECT 'a'"), new Sync()),
                // the proxy answers the Close itself: the server keeps the statement
                Step.of(new Close(ObjectKind.STATEMENT, "s_a"), new Sync()),
                Step.of(parse("", "SELECT 1/0"), bind(""), execute(), new Flush()),
                // skipped: no ParseComplete, and no statement s_a afterwards
                Step.of(parse("s_a", "SELECT 'a'"), bind("s_a"), execute(), new Sync()),
                Step.of(bind("s_a"), execute(), new Sync()),
                Step.of(parse("s_a", "SELECT 'a'"), bind("s_a"), execute(), new Sync())));
    }

    @Test
    void aCloseAnsweredByTheProxyAfterAnErrorIsSkippedAsOnTheServer() throws IOException {
        sameAsDirect(List.of(
                Step.of(parse("s_b", "SELECT 'b'"), new Sync()),
                Step.of(parse("", "SELECT 1/0"), bind(""), execute(), new Flush()),
                // skipped: no CloseComplete, and s_b still exists
                Step.of(new Close(ObjectKind.STATEMENT, "s_b"), new Sync()),
                Step.of(bind("s_b"), execute(), new Sync())));
    }

    @Test
    void aBatchWithItsErrorAndSyncSentAtOnceAnswersTheNextBatchInFull() throws IOException {
        sameAsDirect(List.of(
                Step.of(parse("s_c", "SELECT 3"), bind("s_c"), execute(), parse("", "SELECT 1/0"), bind(""),
                        execute(), bind("s_c"), execute(), new Flush()),
                Step.of(new Sync()),
                Step.of(bind("s_c"), execute(), new Sync(), parse("", "SELECT 1/0"), new Sync(),
                        bind("s_c"), execute(), new Sync()),
                Step.of(bind("s_c"), execute(), new Sync())));
    }
}

package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.PostgresCluster;

/**
 * pgbench's TPC-B-like load through the proxy, 8 clients on a pool of 4 server connections, in each
 * query mode and with a new connection per transaction: no failures, and every transaction pgbench
 * counts left exactly one row in pgbench_history (nothing lost, nothing run twice).
 */
@PostgresCluster(standby = false, replicas = 0)
class PgbenchCompatIT {
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");

    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster localCluster) {
        cluster = localCluster;
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 4\n");
        ExternalCommand.Outcome init = pgbench("-i", "-s", "1");
        assertThat(init.stderr()).as(init.toString()).contains("done in");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void simpleQueryModeRunsWithoutFailures() throws Exception {
        runAndCheck("simple", "-M", "simple");
    }

    @Test
    void extendedQueryModeRunsWithoutFailures() throws Exception {
        runAndCheck("extended", "-M", "extended");
    }

    @Test
    void preparedQueryModeRunsWithoutFailuresOnSharedServers() throws Exception {
        runAndCheck("prepared", "-M", "prepared");
    }

    @Test
    void aNewConnectionPerTransactionRunsWithoutFailures() throws Exception {
        runAndCheck("simple", "-C");
    }

    private static void runAndCheck(String queryMode, String... mode) throws Exception {
        try (Connection c = cluster.connect(cluster.primary()); Statement s = c.createStatement()) {
            s.execute("truncate pgbench_history");
        }
        // One thread per client: pgbench -M prepared prepares with a blocking PQprepare, and a thread
        // blocked so while its other clients hold servers in open transactions would wait forever for a
        // server of a pool smaller than the number of clients (as with any transaction pooler).
        List<String> args = new ArrayList<>(List.of("-c", "8", "-j", "8", "-T", "3", "-n"));
        args.addAll(List.of(mode));
        ExternalCommand.Outcome run = pgbench(args.toArray(String[]::new));

        String output = run.stdout() + run.stderr();
        assertThat(run.stdout()).as(run.toString()).contains("query mode: " + queryMode)
                .contains("number of failed transactions: 0 (0.000%)");
        assertThat(output).as(run.toString()).doesNotContainIgnoringCase("abort");
        Matcher processed = PROCESSED.matcher(run.stdout());
        assertThat(processed.find()).as(run.toString()).isTrue();
        long transactions = Long.parseLong(processed.group(1));
        assertThat(transactions).as(run.toString()).isGreaterThan(8);
        assertThat(Clients.queryDirect(cluster, "select count(*) from pgbench_history"))
                .as("rows in pgbench_history after pgbench reported %d transactions", transactions)
                .isEqualTo(transactions);
    }

    private static ExternalCommand.Outcome pgbench(String... args) {
        List<String> argv = new ArrayList<>(List.of("pgbench"));
        argv.addAll(List.of(args));
        Map<String, String> env = proxy.libpqEnv("postgres");
        return ExternalCommand.run(argv, env, Duration.ofSeconds(60)).requireSuccess();
    }
}

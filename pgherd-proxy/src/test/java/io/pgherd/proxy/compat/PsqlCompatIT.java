package io.pgherd.proxy.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.ExternalCommand;
import io.pgherd.testkit.PostgresCluster;

/** psql through the proxy in transaction pooling: queries, catalogue commands, COPY, notices and Ctrl-C. */
@PostgresCluster(standby = false, replicas = 0)
class PsqlCompatIT {
    static LocalCluster cluster;
    static ProxyFixture proxy;

    @BeforeAll
    static void start(LocalCluster localCluster) {
        cluster = localCluster;
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void psqlRunsStatementsAndTransactionsInOrder() {
        String out = proxy.psql("postgres", "-At",
                "-c", "drop table if exists psql_orders",
                "-c", "create table psql_orders(id int primary key, item text)",
                "-c", "begin; insert into psql_orders values (1, 'kept'); commit;",
                "-c", "begin; insert into psql_orders values (2, 'rolled back'); rollback;",
                "-c", "insert into psql_orders select g, 'bulk ' || g from generate_series(10, 19) g",
                "-c", "select count(*), min(id), max(id), string_agg(item, ',' order by id) filter (where id < 10)"
                        + " from psql_orders").requireSuccess().stdout();
        assertThat(out.strip().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo("11|1|19|kept");
    }

    @Test
    void psqlCatalogueCommandsDescribeTablesDatabasesAndFunctions() {
        proxy.psql("postgres", "-c", "drop table if exists psql_catalogue; drop function if exists psql_double(int)",
                "-c", "create table psql_catalogue(id bigint primary key, label text not null)",
                "-c", "create function psql_double(x int) returns int language sql immutable as 'select 2 * x'")
                .requireSuccess();

        String described = proxy.psql("postgres", "-c", "\\d psql_catalogue").requireSuccess().stdout();
        assertThat(described).contains("Table \"public.psql_catalogue\"").containsPattern("id\\s+\\| bigint")
                .containsPattern("label\\s+\\| text").contains("\"psql_catalogue_pkey\" PRIMARY KEY, btree (id)");

        assertThat(proxy.psql("postgres", "-c", "\\dt").requireSuccess().stdout())
                .containsPattern("public\\s+\\| psql_catalogue\\s+\\| table");
        assertThat(proxy.psql("postgres", "-c", "\\l").requireSuccess().stdout())
                .containsPattern("(?m)^ postgres\\s+\\|").containsPattern("(?m)^ template1\\s+\\|");
        assertThat(proxy.psql("postgres", "-c", "\\df psql_double").requireSuccess().stdout())
                .containsPattern("public\\s+\\| psql_double\\s+\\| integer\\s+\\| x integer\\s+\\| func");
    }

    @Test
    void plainCopyFromStdinInAScriptLoadsEveryRow() throws Exception {
        String rows = IntStream.rangeClosed(1, 5000).mapToObj(i -> i + "\trow " + i).collect(Collectors.joining("\n"));
        Path script = proxy.dir().resolve("copy-in.sql");
        Files.writeString(script, "drop table if exists psql_copy_in;\n"
                + "create table psql_copy_in(id int, label text);\n"
                + "copy psql_copy_in from stdin;\n" + rows + "\n\\.\n"
                + "select count(*), sum(id), count(distinct label) from psql_copy_in;\n");

        String out = proxy.psql("postgres", "-At", "-f", script.toString()).requireSuccess().stdout();

        assertThat(out).contains("COPY 5000").contains("5000|12502500|5000");
    }

    @Test
    void plainCopyToStdoutStreamsEveryRow() {
        String out = proxy.psql("postgres", "-c", "copy (select g, md5(g::text) from generate_series(1, 20000) g)"
                + " to stdout with (format csv)").requireSuccess().stdout();

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(20000);
        assertThat(lines.get(0)).isEqualTo("1,c4ca4238a0b923820dcc509a6f75849b");
        assertThat(lines.get(19999)).startsWith("20000,");
        assertThat(lines.stream().mapToLong(l -> Long.parseLong(l.substring(0, l.indexOf(',')))).sum())
                .isEqualTo(20000L * 20001 / 2);
    }

    @Test
    void backslashCopyRoundTripsAFileThroughATable() throws Exception {
        Path in = proxy.dir().resolve("backslash-copy-in.csv");
        Path out = proxy.dir().resolve("backslash-copy-out.csv");
        List<String> rows = new ArrayList<>();
        for (int i = 1; i <= 3000; i++) {
            rows.add(i + ",\"label, with comma " + i + "\"");
        }
        Files.writeString(in, String.join("\n", rows) + "\n");

        String result = proxy.psql("postgres", "-At",
                "-c", "drop table if exists psql_backslash_copy",
                "-c", "create table psql_backslash_copy(id int, label text)",
                "-c", "\\copy psql_backslash_copy from '" + in + "' with (format csv)",
                "-c", "\\copy (select * from psql_backslash_copy order by id) to '" + out + "' with (format csv)",
                "-c", "select count(*) from psql_backslash_copy").requireSuccess().stdout();

        assertThat(result).contains("COPY 3000").endsWith("3000\n");
        assertThat(Files.readAllLines(out)).isEqualTo(rows);
    }

    @Test
    void noticesRaisedByTheServerReachPsql() {
        ExternalCommand.Outcome outcome = proxy.psql("postgres",
                "-c", "do $$ begin raise notice 'compat notice %', 6 * 7; raise warning 'compat warning'; end $$",
                "-c", "select 1").requireSuccess();

        assertThat(outcome.stderr()).contains("NOTICE:  compat notice 42").contains("WARNING:  compat warning");
    }

    @Test
    void sigintMakesPsqlCancelItsQueryThroughTheProxy() throws Exception {
        String sql = "select pg_sleep(30) as psql_sigint";
        Path stdout = proxy.dir().resolve("sigint.out");
        Path stderr = proxy.dir().resolve("sigint.err");
        ProcessBuilder builder = new ProcessBuilder("psql", "-X", "-c", sql).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(proxy.libpqEnv("postgres"));
        long started = System.nanoTime();
        Process psql = builder.start();
        try {
            Clients.awaitRunning(cluster, sql);
            ExternalCommand.run(List.of("kill", "-INT", Long.toString(psql.pid())), Map.of(),
                    Duration.ofSeconds(10)).requireSuccess();

            assertThat(psql.waitFor(20, TimeUnit.SECONDS)).as("psql exits after SIGINT").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(25));
            assertThat(psql.exitValue()).isEqualTo(1);
            assertThat(Files.readString(stderr)).contains("canceling statement due to user request");
        } finally {
            psql.destroyForcibly();
            psql.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(proxy.psql("postgres", "-Atc", "select 'still serving'").requireSuccess().stdout().strip())
                .isEqualTo("still serving");
    }
}

package io.pgherd.proxy.sql;

import static io.pgherd.proxy.sql.SessionEffects.Pin.ADVISORY_LOCK;
import static io.pgherd.proxy.sql.SessionEffects.Pin.HOLD_CURSOR;
import static io.pgherd.proxy.sql.SessionEffects.Pin.LISTEN;
import static io.pgherd.proxy.sql.SessionEffects.Pin.TEMPORARY_TABLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgherd.proxy.sql.SessionEffects.Pin;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SQL to the session effects transaction pooling cares about: which statements change session
 * state, which pin the client to its server, and that text in comments, quoted identifiers and
 * strings of every kind never counts.
 */
class SessionEffectsTest {

    /** One row of the table: SQL and the effects expected from it. */
    record Row(String sql, SessionEffects expected) {
        @Override
        public String toString() {
            return sql.replace("\n", "\\n") + " -> " + (expected.equals(SessionEffects.NONE) ? "none" : expected);
        }
    }

    private static Row none(String sql) {
        return new Row(sql, SessionEffects.NONE);
    }

    private static Row changes(String sql, Pin... pins) {
        return new Row(sql, new SessionEffects(true, pins(pins)));
    }

    private static Row pins(String sql, Pin... pins) {
        return new Row(sql, new SessionEffects(false, pins(pins)));
    }

    private static Set<Pin> pins(Pin... pins) {
        return pins.length == 0 ? Set.of() : Set.copyOf(EnumSet.of(pins[0], pins));
    }

    static Stream<Row> settings() {
        return Stream.of(
                changes("SET search_path = app, public"),
                changes("set search_path to app"),
                changes("SET SESSION statement_timeout = '5s'"),
                changes("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"),
                changes("SET ROLE reporting"),
                changes("SET SESSION AUTHORIZATION alice"),
                changes("SET TIME ZONE 'UTC'"),
                changes("  \n\tSeT application_name = 'x'"),
                changes("/* leading comment */ SET myapp.tenant = 1"),
                changes("-- leading comment\nSET myapp.tenant = 1"),
                changes("SET"),
                none("SET LOCAL statement_timeout = '5s'"),
                none("set local search_path = x"),
                none("SET LOCAL ROLE reporting"),
                none("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
                none("set transaction read only"),
                changes("RESET search_path"),
                changes("RESET ALL"),
                changes("reset role"),
                changes("SELECT set_config('search_path', 'app', false)"),
                changes("SELECT pg_catalog.set_config('myapp.tenant', '7', false)"),
                changes("SELECT SET_CONFIG ('myapp.tenant', '7', false)"),
                changes("SELECT 1 FROM t WHERE set_config('myapp.x', a, true) IS NOT NULL"),
                changes("WITH s AS (SELECT set_config('myapp.x', 'y', false)) SELECT * FROM s"),
                changes("UPDATE t SET a = set_config('myapp.x', 'z', false)"),
                none("SELECT current_setting('myapp.x')"),
                none("SELECT set_config_of_mine('a')"),
                none("SELECT set_config FROM t"),
                none("UPDATE t SET a = 1"),
                none("INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2"),
                none("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1"),
                none("ALTER ROLE r SET search_path = x"),
                none("SELECT * FROM settings"));
    }

    static Stream<Row> preparedAndDiscard() {
        return Stream.of(
                changes("DISCARD ALL"),
                changes("discard all"),
                changes("DISCARD TEMP"),
                changes("DISCARD TEMPORARY"),
                changes("DISCARD PLANS"),
                changes("DISCARD SEQUENCES"),
                changes("PREPARE q(int) AS SELECT $1"),
                changes("prepare q as select 1"),
                changes("DEALLOCATE q"),
                changes("DEALLOCATE PREPARE q"),
                changes("DEALLOCATE \"all\""),
                changes("DEALLOCATE all_of_them"),
                changes("DEALLOCATE ALL"),
                changes("deallocate prepare all"),
                none("EXECUTE q(1)"));
    }

    static Stream<Row> pinning() {
        return Stream.of(
                pins("LISTEN jobs", LISTEN),
                pins("listen \"Jobs\"", LISTEN),
                none("UNLISTEN *"),
                none("UNLISTEN jobs"),
                none("NOTIFY jobs, 'LISTEN'"),
                pins("CREATE TEMP TABLE t (a int)", TEMPORARY_TABLE),
                pins("CREATE TEMPORARY TABLE t (a int)", TEMPORARY_TABLE),
                pins("CREATE LOCAL TEMP TABLE t (a int)", TEMPORARY_TABLE),
                pins("create local temporary table t as select 1", TEMPORARY_TABLE),
                pins("CREATE OR REPLACE TEMP VIEW v AS SELECT 1", TEMPORARY_TABLE),
                pins("CREATE GLOBAL TEMPORARY TABLE g (a int)", TEMPORARY_TABLE),
                pins("CREATE TEMP VIEW v AS SELECT 1", TEMPORARY_TABLE),
                pins("CREATE TEMP SEQUENCE s", TEMPORARY_TABLE),
                none("CREATE TABLE temp (a int)"),
                none("CREATE TABLE t (temp int)"),
                none("CREATE UNLOGGED TABLE t (a int)"),
                none("CREATE LOCAL TABLE t (a int)"),
                pins("SELECT * INTO TEMP t FROM s", TEMPORARY_TABLE),
                pins("SELECT a, b INTO TEMPORARY TABLE t FROM s", TEMPORARY_TABLE),
                pins("select 1 into temp t", TEMPORARY_TABLE),
                pins("create table pg_temp.scratch (a int)", TEMPORARY_TABLE),
                pins("DO $$ BEGIN CREATE TEMP TABLE scratch (a int); END $$", TEMPORARY_TABLE),
                pins("do $body$ begin create local temporary table if not exists s (a int); end $body$", TEMPORARY_TABLE),
                pins("DO $$ BEGIN EXECUTE 'create table pg_temp.s (a int)'; END $$", TEMPORARY_TABLE),
                none("DO $$ BEGIN CREATE TABLE templates (a int); END $$"),
                none("DO $$ BEGIN PERFORM 'temp'; END $$"),
                pins("CREATE UNLOGGED TABLE pg_temp.scratch AS SELECT 1", TEMPORARY_TABLE),
                pins("WITH x AS (SELECT 1) SELECT * INTO TEMP t FROM x", TEMPORARY_TABLE),
                none("SELECT * INTO templates FROM s"),
                none("INSERT INTO temp SELECT 1"),
                none("SELECT * FROM temp"),
                pins("SELECT pg_advisory_lock(42)", ADVISORY_LOCK),
                pins("SELECT pg_advisory_lock_shared(1, 2)", ADVISORY_LOCK),
                pins("SELECT pg_try_advisory_lock(42)", ADVISORY_LOCK),
                pins("SELECT pg_try_advisory_lock_shared(42)", ADVISORY_LOCK),
                pins("SELECT PG_ADVISORY_LOCK (42)", ADVISORY_LOCK),
                pins("SELECT pg_catalog.pg_advisory_lock(1)", ADVISORY_LOCK),
                pins("SELECT x FROM t WHERE pg_try_advisory_lock(t.id)", ADVISORY_LOCK),
                none("SELECT pg_advisory_xact_lock(42)"),
                none("SELECT pg_advisory_xact_lock_shared(42)"),
                none("SELECT pg_try_advisory_xact_lock(42)"),
                none("SELECT pg_advisory_unlock(42)"),
                none("SELECT pg_advisory_unlock_all()"),
                none("SELECT pg_advisory_lock FROM t"),
                pins("DECLARE c CURSOR WITH HOLD FOR SELECT 1", HOLD_CURSOR),
                pins("declare c cursor with hold for select 1", HOLD_CURSOR),
                pins("DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT 1", HOLD_CURSOR),
                pins("DECLARE c BINARY INSENSITIVE CURSOR WITH HOLD FOR SELECT 1", HOLD_CURSOR),
                none("DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1"),
                none("DECLARE c CURSOR FOR SELECT 1"),
                none("DECLARE c CURSOR FOR SELECT hold FROM t"));
    }

    static Stream<Row> hiddenText() {
        return Stream.of(
                none("-- SET x = 1\nSELECT 1"),
                none("SELECT 1 -- ; SET x = 1"),
                none("SELECT 1 -- ; SET x = 1\n; SELECT 2"),
                none("/* SET x = 1 */ SELECT 1"),
                none("/* outer /* SET x = 1 */ still a comment; DISCARD ALL */ SELECT 1"),
                none("/* /* /* LISTEN a */ */ */ SELECT 1"),
                none("SELECT 1 /* DISCARD ALL; LISTEN x */"),
                none("SELECT \"set\" FROM t"),
                none("\"set\" x = 1"),
                none("\"LISTEN\" x"),
                none("SELECT \"a\"\"; SET x = 1\" FROM t"),
                none("SELECT * FROM \"temp\" WHERE \"pg_advisory_lock\" > 0"),
                none("SELECT 'it''s SET'"),
                none("SELECT 'a'; SELECT 'b; SET x = 1'"),
                none("SELECT 'set_config(''a'', ''b'', false)'"),
                none("SELECT 'pg_advisory_lock(1)'"),
                none("SELECT E'it\\'s; SET x = 1'"),
                none("SELECT e'\\\\'; SELECT 'SET'"),
                none("SELECT E'a''b; LISTEN x'"),
                none("SELECT U&'SET x', B'101', X'FF', N'; DISCARD ALL'"),
                none("SELECT $$; SET x = 1; $$"),
                none("SELECT $tag$ it's $$ SET x $$; LISTEN y $tag$"),
                none("SELECT $a$ $b$ ; LISTEN z $b$ $a$"),
                none("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $body$ SET search_path = x;"
                        + " SELECT pg_advisory_lock(1) $body$"),
                none("SELECT $1, $2 FROM t WHERE a = 'set'"),
                none("COMMENT ON TABLE t IS 'SET x = 1; LISTEN y'"),
                none("SELECT 1"),
                none(""),
                none("   ;  ;"),
                none("EXPLAIN SELECT 1"));
    }

    static Stream<Row> multiStatement() {
        return Stream.of(
                changes("SELECT 1; SET myapp.x = 1"),
                changes("SELECT 1;SET myapp.x=1"),
                changes(";;; SET myapp.x = 1 ;;"),
                none("BEGIN; SET LOCAL myapp.x = 1; COMMIT"),
                changes("SET LOCAL a.b = 1; SET c.d = 2"),
                pins("LISTEN a; SELECT pg_advisory_lock(1); CREATE TEMP TABLE t (a int)", LISTEN, ADVISORY_LOCK,
                        TEMPORARY_TABLE),
                changes("DISCARD ALL; LISTEN x", LISTEN),
                changes("SET a.b = 1; DECLARE c CURSOR WITH HOLD FOR SELECT 1", HOLD_CURSOR),
                new Row("DEALLOCATE ALL; DISCARD TEMP", new SessionEffects(true, Set.of())),
                none("SELECT 'x'; UPDATE t SET a = 1; SELECT pg_advisory_xact_lock(1)"));
    }

    static Stream<Row> unscannable() {
        return Stream.of(
                changes("SELECT 'unterminated; SET x = 1"),
                changes("SET LOCAL a.b = 'x"),
                changes("SELECT 1 /* SET x"),
                changes("SELECT 1 /* /* SET */ still open"),
                changes("SELECT $$ SET x"),
                changes("SELECT $tag$ LISTEN x $other$"),
                changes("SELECT E'\\' SET"),
                changes("SELECT \"set"),
                changes("SELECT U&\"set"),
                changes("LISTEN x; SELECT 'oops", LISTEN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"settings", "preparedAndDiscard", "pinning", "hiddenText", "multiStatement", "unscannable"})
    void effectsOfSql(Row row) {
        assertThat(SessionEffects.of(row.sql())).isEqualTo(row.expected());
    }

    @Test
    void tableHasAtLeastEightyRows() {
        long rows = Stream.of(settings(), preparedAndDiscard(), pinning(), hiddenText(), multiStatement(), unscannable())
                .mapToLong(Stream::count).sum();

        assertThat(rows).isGreaterThanOrEqualTo(80);
    }

    @Test
    void pinsGiveTheReasonShownToOperators() {
        assertThat(Stream.of(Pin.values()).map(Pin::reason))
                .containsExactly("temporary table", "session advisory lock", "LISTEN", "WITH HOLD cursor");
    }
}

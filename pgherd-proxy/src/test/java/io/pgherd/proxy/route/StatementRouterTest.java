package io.pgherd.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pgherd.proxy.route.FunctionCatalog.Volatility;

/** The router as a table: SQL, where it must go, and the rule that must decide it (201 cases, then tables for unlogged relations, settings a standby shows otherwise, and a serializable default). */
class StatementRouterTest {
    /** A catalog as pg_proc would describe these functions (overloads with different volatility included). */
    static final FunctionCatalog CATALOG = FunctionCatalog.of(Map.ofEntries(
            Map.entry("count", Volatility.IMMUTABLE), Map.entry("sum", Volatility.IMMUTABLE),
            Map.entry("avg", Volatility.IMMUTABLE), Map.entry("now", Volatility.STABLE),
            Map.entry("pg_catalog.now", Volatility.STABLE), Map.entry("lower", Volatility.IMMUTABLE),
            Map.entry("upper", Volatility.IMMUTABLE), Map.entry("abs", Volatility.IMMUTABLE),
            Map.entry("length", Volatility.IMMUTABLE), Map.entry("concat", Volatility.STABLE),
            Map.entry("generate_series", Volatility.IMMUTABLE), Map.entry("row_number", Volatility.IMMUTABLE),
            Map.entry("to_char", Volatility.STABLE), Map.entry("json_build_object", Volatility.STABLE),
            Map.entry("string_agg", Volatility.IMMUTABLE), Map.entry("array_agg", Volatility.IMMUTABLE),
            Map.entry("date_trunc", Volatility.STABLE), Map.entry("my_stable_fn", Volatility.STABLE),
            Map.entry("public.my_stable_fn", Volatility.STABLE), Map.entry("my_immutable_fn", Volatility.IMMUTABLE),
            Map.entry("my_volatile_fn", Volatility.VOLATILE), Map.entry("public.my_volatile_fn", Volatility.VOLATILE),
            Map.entry("my_overloaded", Volatility.VOLATILE), Map.entry("MY_OVERLOADED", Volatility.STABLE),
            Map.entry("random", Volatility.VOLATILE), Map.entry("clock_timestamp", Volatility.VOLATILE)));

    private final StatementRouter router = new StatementRouter(CATALOG);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("select 1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("SELECT 1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("  select * from accounts where id = 1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from accounts where id = $1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select count(*) from accounts", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select sum(balance), avg(balance) from accounts group by branch order by 1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select now()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select random()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select clock_timestamp(), gen_random_uuid()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select pg_is_in_recovery()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select pg_catalog.now()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select lower(name) from users", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select coalesce(a, b), nullif(a, 0), greatest(a, b), least(a, b) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select extract(year from created) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select substring(name from 1 for 3) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select cast(x as numeric(10,2)) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select x::varchar(10) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where id in (1, 2, 3)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where exists (select 1 from u where u.id = t.id)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where id = any(array[1,2])", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select row_number() over (partition by a order by b) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select count(*) filter (where x > 0) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from generate_series(1, 10)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t join u on (t.id = u.id)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t join u using (id)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t, lateral (select 1) s", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select case when x then 1 else 2 end from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t limit 10 offset 5", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t fetch first 5 rows only", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select 1 union select 2", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("(select 1) union all (select 2)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("values (1), (2)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("table accounts", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("show search_path", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("show all", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("with a as (select 1) select * from a", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) select * from r", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("with a as materialized (select 1) select * from a", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("explain select * from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("explain (costs off) select * from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("explain analyze select * from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("explain (analyze, buffers) select * from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("copy accounts to stdout", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("copy (select * from accounts) to stdout with csv", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("copy accounts (id, name) to stdout", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select 1; select 2", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select 'insert into t values (1)'", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select $$ delete from t $$", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select $x$ update t set a = 1 $x$", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select E'it\\'s an update'", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select 1 -- ; delete from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select /* drop table t; */ 1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select /* nested /* comment */ delete */ 1", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select \"nextval\" from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from \"update\"", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select my_stable_fn(1)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select public.my_stable_fn(1)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select my_immutable_fn(x) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select to_char(now(), 'YYYY') from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select json_build_object('a', 1)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select string_agg(name, ',') from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select array_agg(x order by x) from t", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select date_trunc('day', now())", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where name like 'a%'", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where x between 1 and 2", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where x is not null", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select interval '1 day'", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select current_setting('search_path')", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select pg_sleep(1)", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select version()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select inet_server_port()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select pg_last_wal_replay_lsn()", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select abs(-1), length('x'), upper('a'), concat('a', 'b')", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("SELECT abalance FROM pgbench_accounts WHERE aid = 42;", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from t where x = 1 ;", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("/* pgherd:replica */ select 1", Route.Target.REPLICA, Route.Reason.HINT_REPLICA),
                Arguments.of("-- pgherd:replica\nselect * from t", Route.Target.REPLICA, Route.Reason.HINT_REPLICA),
                Arguments.of("begin read only", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("BEGIN READ ONLY", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("start transaction read only", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("begin isolation level repeatable read read only", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("begin transaction isolation level read committed, read only", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("begin read only; select 1", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("insert into t values (1)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("INSERT INTO t SELECT * FROM u", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("update t set a = 1", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("delete from t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("merge into t using u on t.id = u.id when matched then update set a = u.a", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("create table t (id int)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("create index on t (id)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("alter table t add column x int", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("drop table t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("truncate t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("grant select on t to u", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("revoke select on t from u", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("vacuum t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("analyze t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("cluster t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("reindex table t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("refresh materialized view mv", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("comment on table t is 'x'", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("call my_proc()", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("do $$ begin perform 1; end $$", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("lock table t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("checkpoint", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("notify chan, 'x'", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("create temp table t (id int)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("security label on table t is 'x'", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("import foreign schema s from server x into y", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("select * from t for update", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("select * from t for share", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("select * from t for no key update", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("select * from t for key share", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("select * from t for update skip locked", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("select * from t where id = 1 for update of t nowait", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("with a as (select * from t for update) select * from a", Route.Target.PRIMARY, Route.Reason.LOCKING_CLAUSE),
                Arguments.of("select * into newt from t", Route.Target.PRIMARY, Route.Reason.SELECT_INTO),
                Arguments.of("select * into temp newt from t", Route.Target.PRIMARY, Route.Reason.SELECT_INTO),
                Arguments.of("with a as (insert into t values (1) returning *) select * from a", Route.Target.PRIMARY, Route.Reason.MODIFYING_CTE),
                Arguments.of("with a as (delete from t returning *) select count(*) from a", Route.Target.PRIMARY, Route.Reason.MODIFYING_CTE),
                Arguments.of("with a as (update t set x = 1 returning *) select * from a", Route.Target.PRIMARY, Route.Reason.MODIFYING_CTE),
                Arguments.of("with a as (select 1) insert into t select * from a", Route.Target.PRIMARY, Route.Reason.MODIFYING_CTE),
                Arguments.of("with a as (select 1) delete from t where id in (select * from a)", Route.Target.PRIMARY, Route.Reason.MODIFYING_CTE),
                Arguments.of("select nextval('s')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select setval('s', 10)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select currval('s')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select lastval()", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select txid_current()", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_current_xact_id()", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_notify('c', 'x')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select set_config('a.b', 'c', false)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_advisory_lock(1)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_advisory_xact_lock(1)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_try_advisory_lock(1)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_advisory_unlock_all()", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select lo_create(0)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select lo_import('/tmp/x')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select dblink_exec('x', 'delete from t')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_catalog.nextval('s')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select pg_current_wal_lsn()", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select setseed(0.5)", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select id, nextval('s') from t", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select * from t where id = (select nextval('s'))", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select my_volatile_fn()", Route.Target.PRIMARY, Route.Reason.VOLATILE_FUNCTION),
                Arguments.of("select public.my_volatile_fn()", Route.Target.PRIMARY, Route.Reason.VOLATILE_FUNCTION),
                Arguments.of("select * from t where x = my_volatile_fn()", Route.Target.PRIMARY, Route.Reason.VOLATILE_FUNCTION),
                Arguments.of("select my_overloaded(1)", Route.Target.PRIMARY, Route.Reason.VOLATILE_FUNCTION),
                Arguments.of("select no_such_function(1)", Route.Target.PRIMARY, Route.Reason.UNKNOWN_FUNCTION),
                Arguments.of("select other_schema.my_stable_fn(1)", Route.Target.PRIMARY, Route.Reason.UNKNOWN_FUNCTION),
                Arguments.of("copy t from stdin", Route.Target.PRIMARY, Route.Reason.COPY_FROM),
                Arguments.of("copy t (id) from stdin with csv", Route.Target.PRIMARY, Route.Reason.COPY_FROM),
                Arguments.of("copy (select nextval('s')) to stdout", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("explain analyze insert into t values (1)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("explain insert into t values (1)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("explain (analyze) delete from t", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("explain select nextval('s')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select 1; insert into t values (1)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("insert into t values (1); select 1", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("select 1; select nextval('s')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("/* pgherd:primary */ select 1", Route.Target.PRIMARY, Route.Reason.HINT_PRIMARY),
                Arguments.of("select 1 /* PGHERD:PRIMARY */", Route.Target.PRIMARY, Route.Reason.HINT_PRIMARY),
                Arguments.of("-- pgherd:primary\nselect 1", Route.Target.PRIMARY, Route.Reason.HINT_PRIMARY),
                Arguments.of("/* pgherd:replica */ insert into t values (1)", Route.Target.PRIMARY, Route.Reason.WRITE),
                Arguments.of("/* pgherd:replica */ select nextval('s')", Route.Target.PRIMARY, Route.Reason.WRITING_FUNCTION),
                Arguments.of("select 'unterminated", Route.Target.PRIMARY, Route.Reason.UNPARSABLE),
                Arguments.of("select $$ unterminated", Route.Target.PRIMARY, Route.Reason.UNPARSABLE),
                Arguments.of("select /* unterminated", Route.Target.PRIMARY, Route.Reason.UNPARSABLE),
                Arguments.of("select \"unterminated", Route.Target.PRIMARY, Route.Reason.UNPARSABLE),
                Arguments.of("", Route.Target.PRIMARY, Route.Reason.EMPTY),
                Arguments.of(";", Route.Target.PRIMARY, Route.Reason.EMPTY),
                Arguments.of("-- only a comment", Route.Target.PRIMARY, Route.Reason.EMPTY),
                Arguments.of("begin", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("BEGIN", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("begin read write", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("start transaction", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("start transaction isolation level serializable", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("commit", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("end", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("rollback", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("abort", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("savepoint a", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("release savepoint a", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("rollback to savepoint a", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("begin isolation level serializable read only", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_READ_ONLY),
                Arguments.of("start transaction read only isolation level serializable", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_READ_ONLY),
                Arguments.of("begin read only read write", Route.Target.PRIMARY, Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("set search_path = a", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("reset all", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("discard all", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("prepare p as select 1", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("execute p", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("deallocate p", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("declare c cursor for select 1", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("fetch 10 from c", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("move next in c", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("close c", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("listen chan", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("unlisten *", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("load 'auto_explain'", Route.Target.PRIMARY, Route.Reason.SESSION),
                Arguments.of("select update from t", Route.Target.PRIMARY, Route.Reason.MODIFYING_CTE),
                Arguments.of("123", Route.Target.PRIMARY, Route.Reason.WRITE));
    }

    /** The same functions, and the unlogged relations pg_class would list: plain and schema-qualified. */
    static final FunctionCatalog WITH_UNLOGGED = FunctionCatalog.of(Map.of("count", Volatility.IMMUTABLE,
            "lower", Volatility.IMMUTABLE), Set.of("scratch", "public.scratch", "Cache_Lines", "app.cache_lines"));

    /** Unlogged relations, which a hot standby cannot read: wherever they appear, the primary. */
    static Stream<Arguments> unloggedCases() {
        return Stream.of(
                Arguments.of("select * from scratch", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("SELECT count(*) FROM public.scratch", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("select * from app.cache_lines where id = 1", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("select * from \"Cache_Lines\"", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("select a.id from accounts a join scratch s on s.id = a.id", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("select * from accounts where id in (select id from scratch)", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("with s as (select * from scratch) select count(*) from s", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("table scratch", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("explain select * from scratch", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("copy scratch to stdout", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("copy (select lower(note) from scratch) to stdout", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("select 1; select * from scratch", Route.Target.PRIMARY, Route.Reason.UNLOGGED_RELATION),
                Arguments.of("select * from accounts", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select * from scratchpad", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select 'scratch' from accounts", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("copy accounts to stdout", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("show transaction_read_only", Route.Target.PRIMARY, Route.Reason.PRIMARY_SETTING),
                Arguments.of("SHOW in_hot_standby", Route.Target.PRIMARY, Route.Reason.PRIMARY_SETTING),
                Arguments.of("select current_setting('transaction_read_only')", Route.Target.PRIMARY, Route.Reason.PRIMARY_SETTING),
                Arguments.of("show default_transaction_read_only", Route.Target.REPLICA, Route.Reason.READ_ONLY),
                Arguments.of("select current_setting('work_mem')", Route.Target.REPLICA, Route.Reason.READ_ONLY));
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @MethodSource("unloggedCases")
    void unloggedRelationsOfTheCatalogAndTheStandbysOwnSettingsGoToThePrimary(String sql, Route.Target target, Route.Reason reason) {
        Route route = new StatementRouter(WITH_UNLOGGED).route(sql);
        assertThat(route.target()).as(route.explain()).isEqualTo(target);
        assertThat(route.reason()).as(route.explain()).isEqualTo(reason);
    }

    /** A session whose default_transaction_isolation is serializable (a hot standby refuses such transactions). */
    static Stream<Arguments> serializableDefaultCases() {
        return Stream.of(
                Arguments.of("select 1", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_DEFAULT),
                Arguments.of("select * from accounts where id = $1", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_DEFAULT),
                Arguments.of("show work_mem", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_DEFAULT),
                Arguments.of("begin read only", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_DEFAULT),
                Arguments.of("start transaction read only; select 1; commit", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_DEFAULT),
                Arguments.of("begin read only isolation level repeatable read", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("begin isolation level read committed, read only", Route.Target.REPLICA, Route.Reason.READ_ONLY_TRANSACTION),
                Arguments.of("begin isolation level serializable read only", Route.Target.PRIMARY, Route.Reason.SERIALIZABLE_READ_ONLY),
                Arguments.of("insert into t values (1)", Route.Target.PRIMARY, Route.Reason.WRITE));
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @MethodSource("serializableDefaultCases")
    void aSerializableDefaultIsolationKeepsReadsOnThePrimary(String sql, Route.Target target, Route.Reason reason) {
        for (Route route : List.of(router.route(sql, false, true), router.routePrepared(sql, false, true))) {
            assertThat(route.target()).as(route.explain()).isEqualTo(target);
            assertThat(route.reason()).as(route.explain()).isEqualTo(reason);
        }
        assertThat(router.route(sql, false, false).reason()).as("without the default").isNotEqualTo(Route.Reason.SERIALIZABLE_DEFAULT);
    }

    /** Setting a serializable isolation, for the session or a transaction, is work for the primary. */
    static Stream<Arguments> serializableSettingCases() {
        return Stream.of(
                Arguments.of("set session characteristics as transaction isolation level serializable", Route.Reason.SESSION),
                Arguments.of("set default_transaction_isolation = 'serializable'", Route.Reason.SESSION),
                Arguments.of("set transaction isolation level serializable", Route.Reason.SESSION),
                Arguments.of("begin isolation level serializable", Route.Reason.TRANSACTION_CONTROL),
                Arguments.of("begin read only; set transaction isolation level serializable; select 1; commit", Route.Reason.SESSION),
                Arguments.of("start transaction isolation level serializable, read only, deferrable", Route.Reason.SERIALIZABLE_READ_ONLY));
    }

    @ParameterizedTest(name = "{0} -> primary ({1})")
    @MethodSource("serializableSettingCases")
    void settingASerializableIsolationGoesToThePrimary(String sql, Route.Reason reason) {
        for (boolean defaultReadOnly : new boolean[] {false, true}) {
            Route route = router.route(sql, defaultReadOnly);
            assertThat(route.target()).as(route.explain()).isEqualTo(Route.Target.PRIMARY);
            assertThat(route.reason()).as(route.explain()).isEqualTo(reason);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @MethodSource("cases")
    void routesAsTheTableSays(String sql, Route.Target target, Route.Reason reason) {
        Route route = router.route(sql);
        assertThat(route.target()).as(route.explain()).isEqualTo(target);
        assertThat(route.reason()).as(route.explain()).isEqualTo(reason);
    }
}

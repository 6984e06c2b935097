package io.pgherd.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SQL that carries a client's session state from one server to another. */
class SessionStateTest {

    private static SessionState settings(String... nameValue) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            map.put(nameValue[i], nameValue[i + 1]);
        }
        return SessionState.ofSettings(map);
    }

    private static SessionState prepared(String... nameStatement) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameStatement.length; i += 2) {
            map.put(nameStatement[i], nameStatement[i + 1]);
        }
        return new SessionState(Map.of(), map);
    }

    /** The statements of generated SQL whose values hold no semicolons. */
    private static List<String> statements(String sql) {
        return Arrays.asList(sql.split(";"));
    }

    @Test
    void equalStatesNeedNoSql() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("search_path", "app");
        forward.put("application_name", "web");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("application_name", "web");
        backward.put("search_path", "app");
        SessionState a = new SessionState(forward, Map.of("q", "PREPARE q AS SELECT 1"));
        SessionState b = new SessionState(backward, Map.of("q", "PREPARE q AS SELECT 1"));

        assertThat(SessionState.EMPTY.changesFrom(SessionState.EMPTY)).isNull();
        assertThat(a.changesFrom(b)).isNull();
        assertThat(b.changesFrom(a)).isNull();
    }

    @Test
    void settingTheTargetLacksIsReset() {
        String sql = SessionState.EMPTY.changesFrom(settings("search_path", "x", "myapp.tenant", "7"));

        assertThat(statements(sql)).containsExactlyInAnyOrder("RESET search_path", "RESET myapp.tenant");
    }

    @Test
    void onlyChangedSettingsAreSet() {
        SessionState current = settings("search_path", "app", "work_mem", "4MB", "application_name", "web");
        SessionState target = settings("search_path", "app", "work_mem", "64MB", "application_name", "web");

        assertThat(target.changesFrom(current))
                .isEqualTo("SELECT pg_catalog.set_config('work_mem', '64MB', false);");
    }

    @Test
    void everyNewSettingIsSetInOneSelect() {
        String sql = settings("search_path", "app", "work_mem", "64MB").changesFrom(SessionState.EMPTY);

        assertThat(sql).startsWith("SELECT pg_catalog.set_config(").endsWith(", false);")
                .contains("pg_catalog.set_config('search_path', 'app', false)")
                .contains("pg_catalog.set_config('work_mem', '64MB', false)")
                .containsOnlyOnce("SELECT").containsOnlyOnce(";");
    }

    @Test
    void resetsComeBeforeTheSelectThatSets() {
        String sql = settings("b.y", "2").changesFrom(settings("a.x", "1"));

        assertThat(sql).isEqualTo("RESET a.x;SELECT pg_catalog.set_config('b.y', '2', false);");
    }

    @ParameterizedTest(name = "value {0} is written {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "plain              | 'plain'",
        "it's               | 'it''s'",
        "''                 | ''''''",
        "C:\\dir            | E'C:\\\\dir'",
        "it's C:\\dir       | E'it''s C:\\\\dir'",
        "\\'                | E'\\\\'''",
        "\"\"               | ''",
        "\"a, b\"           | 'a, b'",
        "x'); DROP TABLE t; --  | 'x''); DROP TABLE t; --'",
    })
    void valuesAreQuotedWhateverStandardConformingStringsSays(String value, String literal) {
        String sql = settings("myapp.v", value).changesFrom(SessionState.EMPTY);

        assertThat(sql).isEqualTo("SELECT pg_catalog.set_config('myapp.v', " + literal + ", false);");
    }

    @Test
    void sessionAuthorizationThenRoleAreSetBeforeEverythingElse() {
        Map<String, String> target = new LinkedHashMap<>();
        target.put("search_path", "app");
        target.put("role", "reporting");
        target.put("work_mem", "64MB");
        target.put("session_authorization", "alice");

        String sql = SessionState.ofSettings(target).changesFrom(SessionState.EMPTY);

        assertThat(sql).startsWith("SELECT pg_catalog.set_config('session_authorization', 'alice', false),"
                + " pg_catalog.set_config('role', 'reporting', false), pg_catalog.set_config(");
    }

    @Test
    void roleAloneIsSetFirst() {
        String sql = settings("application_name", "web", "role", "r").changesFrom(SessionState.EMPTY);

        assertThat(sql).startsWith("SELECT pg_catalog.set_config('role', 'r', false), ");
    }

    @Test
    void sqlPreparedStatementTheTargetLacksIsDeallocated() {
        String sql = SessionState.EMPTY.changesFrom(prepared("q", "PREPARE q AS SELECT 1"));

        assertThat(sql).isEqualTo("DEALLOCATE \"q\";");
    }

    @Test
    void deallocatedNameIsQuotedAsAnIdentifier() {
        String sql = SessionState.EMPTY.changesFrom(prepared("My\"Q", "PREPARE \"My\"\"Q\" AS SELECT 1"));

        assertThat(sql).isEqualTo("DEALLOCATE \"My\"\"Q\";");
    }

    @Test
    void sqlPreparedStatementTheServerLacksIsPreparedWithoutTrailingSemicolons() {
        String sql = prepared("q", "  PREPARE q(int) AS SELECT $1;; ").changesFrom(SessionState.EMPTY);

        assertThat(sql).isEqualTo("PREPARE q(int) AS SELECT $1;");
    }

    @Test
    void preparedStatementWithOtherTextIsDeallocatedThenPreparedAgain() {
        String sql = prepared("q", "PREPARE q AS SELECT 2").changesFrom(prepared("q", "PREPARE q AS SELECT 1"));

        assertThat(sql).isEqualTo("DEALLOCATE \"q\";PREPARE q AS SELECT 2;");
    }

    @Test
    void fullChangeRunsResetsThenSetsThenDeallocatesThenPrepares() {
        SessionState current = new SessionState(Map.of("a.old", "1", "b.kept", "same"), Map.of("old", "PREPARE old AS SELECT 1"));
        SessionState target = new SessionState(Map.of("b.kept", "same", "c.new", "3"), Map.of("new", "PREPARE new AS SELECT 2"));

        assertThat(target.changesFrom(current)).isEqualTo("RESET a.old;SELECT pg_catalog.set_config('c.new', '3', false);"
                + "DEALLOCATE \"old\";PREPARE new AS SELECT 2;");
    }

    @Test
    void fromRowsSplitsSettingsAndPreparedStatementsAndLowerCasesSettingNames() {
        SessionState state = SessionState.fromRows(List.of(
                new String[] {"s", "Search_Path", "app"},
                new String[] {"p", "MyQ", "PREPARE \"MyQ\" AS SELECT 1"},
                new String[] {"s", "application_name", "web"}));

        assertThat(state.settings()).containsOnly(Map.entry("search_path", "app"), Map.entry("application_name", "web"));
        assertThat(state.prepared()).containsOnly(Map.entry("MyQ", "PREPARE \"MyQ\" AS SELECT 1"));
        assertThat(SessionState.fromRows(List.of())).isEqualTo(SessionState.EMPTY);
    }

    @Test
    void ofSettingsLowerCasesNames() {
        assertThat(SessionState.ofSettings(Map.of("DateStyle", "ISO, MDY")).settings())
                .containsOnly(Map.entry("datestyle", "ISO, MDY"));
    }

    @Test
    void stateIsACopyOfTheMapsItWasMadeFrom() {
        Map<String, String> settings = new HashMap<>(Map.of("a.b", "1"));
        SessionState state = new SessionState(settings, Map.of());
        settings.put("c.d", "2");

        assertThat(state.settings()).containsOnlyKeys("a.b");
    }

    @org.junit.jupiter.api.Test
    void aNewSessionUserIsFollowedByTheRoleAgainBecauseChangingTheUserResetsIt() {
        SessionState current = new SessionState(java.util.Map.of("session_authorization", "alice", "role", "r"), java.util.Map.of());
        SessionState target = new SessionState(java.util.Map.of("session_authorization", "bob", "role", "r"), java.util.Map.of());
        org.assertj.core.api.Assertions.assertThat(target.changesFrom(current)).isEqualTo(
                "SELECT pg_catalog.set_config('session_authorization', 'bob', false), pg_catalog.set_config('role', 'r', false);");
    }
}

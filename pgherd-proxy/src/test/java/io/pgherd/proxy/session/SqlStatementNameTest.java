package io.pgherd.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which simple queries name a prepared statement in SQL, and how the name is replaced. */
class SqlStatementNameTest {

    @Test
    void executeAndDeallocateNameTheirStatement() {
        assertThat(SqlStatementName.of("EXECUTE q(1, 'a')")).isEqualTo(new SqlStatementName(false, "q", 8, 9));
        assertThat(SqlStatementName.of("  execute Stmt_1 (2)").name()).isEqualTo("stmt_1");
        assertThat(SqlStatementName.of("execute \"My \"\"q\"\"\"(1)").name()).isEqualTo("My \"q\"");
        assertThat(SqlStatementName.of("DEALLOCATE q")).isEqualTo(new SqlStatementName(true, "q", 11, 12));
        assertThat(SqlStatementName.of("deallocate prepare \"Q\";").name()).isEqualTo("Q");
        assertThat(SqlStatementName.of("deallocate prepared").name()).as("a statement named prepared").isEqualTo("prepared");
    }

    @Test
    void anythingElseIsLeftAlone() {
        assertThat(SqlStatementName.of("DEALLOCATE ALL")).isNull();
        assertThat(SqlStatementName.of("deallocate prepare all")).isNull();
        assertThat(SqlStatementName.of("/* c */ EXECUTE q")).isNull();
        assertThat(SqlStatementName.of("executeq(1)")).isNull();
        assertThat(SqlStatementName.of("EXECUTE")).isNull();
        assertThat(SqlStatementName.of("execute \"unterminated")).isNull();
        assertThat(SqlStatementName.of("select 1")).isNull();
    }

    @Test
    void renameQuotesTheServerNameAndKeepsTheRest() {
        String sql = "execute \"My q\" (1, 'x')";
        assertThat(SqlStatementName.of(sql).rename(sql, "pgherd_7")).isEqualTo("execute \"pgherd_7\" (1, 'x')");
        assertThat(SqlStatementName.of("DEALLOCATE q;").rename("DEALLOCATE q;", "pgherd_8"))
                .isEqualTo("DEALLOCATE \"pgherd_8\";");
    }
}

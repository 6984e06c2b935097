package io.pgherd.proxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseDdlTest {
    @Test
    void namesTheDatabasesAStatementNeedsNobodyElseConnectedTo() {
        assertThat(DatabaseDdl.databasesNeededAlone("DROP DATABASE shop")).containsExactly("shop");
        assertThat(DatabaseDdl.databasesNeededAlone("drop database if exists \"Shop\" with (force)")).containsExactly("Shop");
        assertThat(DatabaseDdl.databasesNeededAlone("CREATE DATABASE b TEMPLATE a")).containsExactly("a");
        assertThat(DatabaseDdl.databasesNeededAlone("create database b with owner x template = \"A\" encoding 'UTF8'"))
                .containsExactly("A");
        assertThat(DatabaseDdl.databasesNeededAlone("create database b template default")).containsExactly("template1");
        assertThat(DatabaseDdl.databasesNeededAlone("create database b")).containsExactly("template1");
        assertThat(DatabaseDdl.databasesNeededAlone("ALTER DATABASE a RENAME TO b")).containsExactly("a");
        assertThat(DatabaseDdl.databasesNeededAlone("select 1; drop database x; drop database y")).containsExactly("x", "y");
    }

    @Test
    void otherStatementsNameNone() {
        assertThat(DatabaseDdl.databasesNeededAlone("ALTER DATABASE a SET work_mem = '1MB'")).isEmpty();
        assertThat(DatabaseDdl.databasesNeededAlone("drop table database")).isEmpty();
        assertThat(DatabaseDdl.databasesNeededAlone("create table t (database int)")).isEmpty();
        assertThat(DatabaseDdl.databasesNeededAlone("drop database")).isEmpty();
    }
}

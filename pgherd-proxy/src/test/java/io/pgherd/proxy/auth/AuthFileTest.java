package io.pgherd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading PgBouncer-style auth files: users, secrets, comments, and every bad line at once. */
class AuthFileTest {

    static final String SCRAM = SecretTest.PENCIL;
    static final String MD5 = SecretTest.MD5;

    @Test
    void goodFileListsEveryUserWithItsSecret() {
        AuthFile file = AuthFile.parse(String.join("\n",
                "; PgBouncer comment",
                "# shell comment",
                "",
                "   \t",
                "\"alice\" \"" + SCRAM + "\"",
                "  \"bob\"\t\"" + MD5 + "\"   \"ignored extra field\"",
                "\"o\"\"brien\" \"" + SCRAM + "\"\r",
                "\"with space\" \"" + MD5 + "\""), "userlist.txt");

        assertThat(file.users()).containsExactly("alice", "bob", "o\"brien", "with space");
        assertThat(file.lookup("alice")).contains(Secret.parse(SCRAM));
        assertThat(file.lookup("bob")).contains(Secret.parse(MD5));
        assertThat(file.lookup("o\"brien")).contains(Secret.parse(SCRAM));
        assertThat(file.lookup("carol")).isEmpty();
        assertThat(file.lookup("Alice")).isEmpty();
    }

    @Test
    void emptyFileHasNoUsers() {
        assertThat(AuthFile.parse("", "empty").users()).isEmpty();
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() {
        String text = String.join("\n",
                "\"alice\" \"" + SCRAM + "\"",
                "bob \"" + MD5 + "\"",
                "\"carol\" \"hunter2\"",
                "\"\" \"" + MD5 + "\"",
                "\"dave\"\"" + MD5 + "\"",
                "\"erin\" \"" + MD5,
                "\"alice\" \"" + MD5 + "\"",
                "\"frank",
                "\"grace\"",
                "\"heidi\" \"SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA\"",
                "\"ivan\" \"" + MD5 + "\"");

        assertThatThrownBy(() -> AuthFile.parse(text, "userlist.txt"))
                .isInstanceOfSatisfying(AuthFileException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "line 2: expected the user name in double quotes at column 1;"
                                        + " lines are \"user\" \"secret\"",
                                "line 3: user \"carol\": the secret is not in a known format"
                                        + " (plaintext passwords are not accepted); expected "
                                        + SecretTest.FORMATS,
                                "line 4: the user name is empty",
                                "line 5: expected white space, then the secret in double quotes,"
                                        + " after the user name's closing quote at column 43 (a"
                                        + " double quote inside a name is written twice)",
                                "line 6: the secret of user \"erin\" has no closing double quote"
                                        + " (opened at column 8)",
                                "line 7: user \"alice\" is already listed on line 1",
                                "line 8: the user name has no closing double quote (opened at"
                                        + " column 1)",
                                "line 9: expected white space, then the secret in double quotes,"
                                        + " after the user name's closing quote at column 7 (a"
                                        + " double quote inside a name is written twice)",
                                "line 10: user \"heidi\": the SCRAM secret is malformed:"
                                        + " StoredKey must be 32 bytes (got 3)"))
                .hasMessageStartingWith("invalid auth file userlist.txt (9 problems):\n"
                        + "  line 2: expected the user name")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining(MD5.substring(3));
    }

    @Test
    void loadsFromAPath(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("userlist.txt");
        Files.writeString(path, "\"alice\" \"" + SCRAM + "\"\n", StandardCharsets.UTF_8);

        AuthFile file = AuthFile.load(path);

        assertThat(file.lookup("alice")).contains(Secret.parse(SCRAM));
        assertThat(file.source()).isEqualTo(path.toString());
    }

    @Test
    void missingFileIsReportedWithItsPath(@TempDir Path dir) {
        Path path = dir.resolve("missing.txt");
        assertThatThrownBy(() -> AuthFile.load(path)).isInstanceOf(AuthFileException.class)
                .hasMessage("cannot read auth file " + path + ": NoSuchFileException: " + path);
    }

    @Test
    void fileThatIsNotUtf8IsRefused(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("latin1.txt");
        Files.write(path, new byte[] {'"', (byte) 0xE9, '"', ' ', '"', 'x', '"'});
        assertThatThrownBy(() -> AuthFile.load(path)).isInstanceOf(AuthFileException.class)
                .hasMessage("cannot read auth file " + path + ": the file is not valid UTF-8");
    }

    @Test
    void toStringShowsNoSecret() {
        AuthFile file = AuthFile.parse("\"alice\" \"" + SCRAM + "\"\n\"bob\" \"" + MD5 + "\"",
                "userlist.txt");
        assertThat(file).hasToString("AuthFile[userlist.txt, 2 users]");
        assertThat(file.lookup("alice").orElseThrow().toString()).doesNotContain("WG5d8");
    }
}

package io.pgherd.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pgherd.proxy.config.ProxyConfig;

/** SET, SHOW and RESET of the proxy's own pgherd.* settings: what is recognized, and what is refused with which words. */
class PgherdSettingTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "SET pgherd.route = primary                   | route       | primary",
            "set pgherd.route=replica                     | route       | replica",
            "SET pgherd.route TO auto                     | route       | auto",
            "set pgherd.route to 'primary'                | route       | primary",
            "SET SESSION pgherd.route = replica;          | route       | replica",
            "  SET   PGHERD.ROUTE   =   Primary  ;        | route       | Primary",
            "SET pgherd.consistency = read-your-writes    | consistency | read-your-writes",
            "SET pgherd.consistency = 'strong'            | consistency | strong",
            "SET pgherd.consistency TO eventual;          | consistency | eventual",
            "SET pgherd.causal_token = '0/16B3740'        | causal_token | 0/16B3740",
            "SET pgherd.causal_token = 16/B374D848        | causal_token | 16/B374D848",
            "SET pgherd.Causal_Token TO '1/0'             | causal_token | 1/0",
            "SET pgherd.route = 'it''s'                   | route       | it's",
            "SET pgherd.route = ''                        | route       | ''",
            "SET pgherd.whatever = x                      | whatever    | x"})
    void setIsRecognizedInEveryForm(String sql, String name, String value) {
        PgherdSetting setting = PgherdSetting.parse(sql);

        assertThat(setting).isEqualTo(new PgherdSetting("set", name, value.equals("''") ? "" : value));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "SHOW pgherd.route                  | show  | route",
            "show pgherd.causal_token;          | show  | causal_token",
            "  SHOW PGHERD.Consistency ;        | show  | consistency",
            "RESET pgherd.route                 | reset | route",
            "reset pgherd.consistency;          | reset | consistency",
            "RESET PGHERD.CAUSAL_TOKEN          | reset | causal_token",
            "show pgherd.nonsense               | show  | nonsense"})
    void showAndResetAreRecognized(String sql, String verb, String name) {
        assertThat(PgherdSetting.parse(sql)).isEqualTo(new PgherdSetting(verb, name, null));
    }

    @Test
    void surroundingSpaceAndNewlinesDoNotMatter() {
        assertThat(PgherdSetting.parse("\n  SET pgherd.route\n  TO primary ;\n"))
                .isEqualTo(new PgherdSetting("set", "route", "primary"));
        assertThat(PgherdSetting.parse("\tRESET pgherd.route\n")).isEqualTo(new PgherdSetting("reset", "route", null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "SELECT 1",
            "SET search_path = public",
            "SHOW search_path",
            "RESET ALL",
            "SELECT 'pgherd.route'",
            "SELECT current_setting('pgherd.route')",
            "SET pgherd.route = primary; SELECT 1",
            "SET LOCAL pgherd.route = primary",
            "SET pgherd.route",
            "SET pgherd.route = primary replica",
            "SET pgherd.route = 'unterminated",
            "SHOW pgherd.route.x",
            "SHOW pgherd.",
            "RESET pgherd.route extra",
            "SET pgherdx.route = primary",
            "/* SET pgherd.route = primary */ SELECT 1"})
    void otherStatementsAreNotSettings(String sql) {
        assertThat(PgherdSetting.parse(sql)).isNull();
    }

    @Test
    void aVeryLongStatementIsNotLookedAt() {
        String sql = "SET pgherd.route = '" + "x".repeat(400) + "'";

        assertThat(PgherdSetting.parse(sql)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SET pgherd.route = primary", "SET pgherd.route = REPLICA", "SET pgherd.route = auto",
            "SET pgherd.consistency = eventual", "SET pgherd.consistency = Read-Your-Writes",
            "SET pgherd.consistency = read_your_writes", "SET pgherd.consistency = STRONG",
            "SET pgherd.causal_token = '0/0'", "SET pgherd.causal_token = 'FFFFFFFF/FFFFFFFF'",
            "RESET pgherd.route", "RESET pgherd.consistency", "RESET pgherd.causal_token"})
    void goodNamesAndValuesHaveNoProblem(String sql) {
        assertThat(PgherdSetting.parse(sql).problem()).isNull();
    }

    @Test
    void anUnknownNameIsRefusedNamingTheKnownOnes() {
        String expected = "unrecognized configuration parameter \"pgherd.rout\" (pgherd knows pgherd.route,"
                + " pgherd.consistency and pgherd.causal_token)";

        assertThat(PgherdSetting.parse("SET pgherd.rout = primary").problem()).isEqualTo(expected);
        assertThat(PgherdSetting.parse("RESET pgherd.rout").problem()).isEqualTo(expected);
    }

    @Test
    void badValuesAreRefusedWithTheValueAndTheChoices() {
        assertThat(PgherdSetting.parse("SET pgherd.route = standby").problem())
                .isEqualTo("invalid value for parameter \"pgherd.route\": \"standby\" (primary, replica or auto)");
        assertThat(PgherdSetting.parse("SET pgherd.consistency = 'causal'").problem())
                .isEqualTo("invalid value for parameter \"pgherd.consistency\": \"causal\" (eventual, read-your-writes or strong)");
        assertThat(PgherdSetting.parse("SET pgherd.causal_token = 'latest'").problem())
                .isEqualTo("invalid value for parameter \"pgherd.causal_token\": \"latest\" (a WAL position as"
                        + " SHOW pgherd.causal_token gives it, like 0/16B3740)");
        assertThat(PgherdSetting.parse("SET pgherd.causal_token = '123456789/0'").problem()).startsWith(
                "invalid value for parameter \"pgherd.causal_token\"");
        assertThat(PgherdSetting.parse("SET pgherd.route = ''").problem()).startsWith(
                "invalid value for parameter \"pgherd.route\": \"\"");
    }

    @Test
    void consistencyNamesTakeEitherSeparatorAndAnyCase() {
        assertThat(PgherdSetting.consistency("read-your-writes")).isEqualTo(ProxyConfig.Consistency.READ_YOUR_WRITES);
        assertThat(PgherdSetting.consistency("READ_YOUR_WRITES")).isEqualTo(ProxyConfig.Consistency.READ_YOUR_WRITES);
        assertThat(PgherdSetting.consistency("Eventual")).isEqualTo(ProxyConfig.Consistency.EVENTUAL);
        assertThat(PgherdSetting.consistency("strong")).isEqualTo(ProxyConfig.Consistency.STRONG);
        assertThat(PgherdSetting.consistency("causal")).isNull();
    }

    @Test
    void raiseQuotesTheMessageAndCannotEndTheDollarQuote() {
        String sql = PgherdSetting.raise("22023", "invalid value \"it's\" for $pgherd$ x");

        assertThat(sql).isEqualTo("DO $pgherd$ BEGIN RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = E'pgherd: invalid"
                + " value \"it''s\" for pgherd x'; END $pgherd$");
        assertThat(sql.split("\\$pgherd\\$", -1)).as("only the two dollar quotes of the DO block").hasSize(3);
    }

    @Test
    void answerIsAOneRowSelectNamedAfterTheSetting() {
        assertThat(PgherdSetting.answer("route", "it's")).isEqualTo("SELECT E'it''s'::text AS \"pgherd.route\"");
    }

    @Test
    void backslashesCannotEndTheLiteralWhateverStandardConformingStringsSays() {
        assertThat(PgherdSetting.answer("route", "a\\' OR '1")).isEqualTo("SELECT E'a\\\\'' OR ''1'::text AS \"pgherd.route\"");
    }
}

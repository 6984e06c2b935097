package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgConfFileTest {
    @Test
    void readsQuotedUnquotedAndEqualsLessSettingsAndTheLastOccurrenceWins() {
        PgConfFile conf = PgConfFile.parse("""
                # a comment
                port = 5432            # trailing comment
                shared_buffers='128MB'
                log_line_prefix = '%m [%p] it''s \\\\ here '
                Work_Mem 4MB
                port = 6543
                """);
        assertThat(conf.get("port")).contains("6543");
        assertThat(conf.get("shared_buffers")).contains("128MB");
        assertThat(conf.get("log_line_prefix")).contains("%m [%p] it's \\ here ");
        assertThat(conf.get("work_mem")).contains("4MB");
        assertThat(conf.get("missing")).isEmpty();
    }

    @Test
    void setReplacesTheLastOccurrenceInPlaceDropsEarlierOnesAndKeepsEverythingElse() {
        PgConfFile conf = PgConfFile.parse("""
                # header
                port = 1
                max_connections = 10
                port = 2
                """);
        conf.set("PORT", "3");
        assertThat(conf.render()).isEqualTo("""
                # header
                max_connections = 10
                port = '3'
                """);
    }

    @Test
    void valuesAreQuotedAndEscapedSoTheyReadBackExactly() {
        String tricky = "host=x password='a\\b' application_name=o'brien";
        PgConfFile conf = PgConfFile.empty().set("primary_conninfo", tricky);
        assertThat(conf.render()).isEqualTo("primary_conninfo = 'host=x password=''a\\\\b'' application_name=o''brien'\n");
        assertThat(PgConfFile.parse(conf.render()).get("primary_conninfo")).contains(tricky);
    }

    @Test
    void unparsableLinesAreKeptVerbatimAndNeverTreatedAsSettings() {
        String text = "port = 'unterminated\n= 5\nname value extra\n";
        PgConfFile conf = PgConfFile.parse(text);
        assertThat(conf.get("port")).isEmpty();
        assertThat(conf.get("name")).isEmpty();
        assertThat(conf.render()).isEqualTo(text);
    }

    @Test
    void removeDropsEveryOccurrence() {
        PgConfFile conf = PgConfFile.parse("a = 1\nb = 2\na = 3\n").remove("A");
        assertThat(conf.render()).isEqualTo("b = 2\n");
    }
}

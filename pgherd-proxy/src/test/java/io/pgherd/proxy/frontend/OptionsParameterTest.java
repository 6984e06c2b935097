package io.pgherd.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Settings in a StartupMessage's options parameter, as libpq's PGOPTIONS sends them. */
class OptionsParameterTest {

    record Row(String options, Map<String, String> settings) {
        @Override
        public String toString() {
            return "'" + options + "' -> " + settings;
        }
    }

    private static Row row(String options, String... nameValue) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            settings.put(nameValue[i], nameValue[i + 1]);
        }
        return new Row(options, settings);
    }

    static Stream<Row> rows() {
        return Stream.of(
                row("-c a=b -c c=d", "a", "b", "c", "d"),
                row("-c search_path=app", "search_path", "app"),
                row("-cwork_mem=64MB", "work_mem", "64MB"),
                row("--a=b", "a", "b"),
                row("--statement-timeout=5s", "statement_timeout", "5s"),
                row("-c statement-timeout=5s", "statement_timeout", "5s"),
                row("--search_path=a-b", "search_path", "a-b"),
                row("-c geqo=off --jit=off -cwork_mem=4MB", "geqo", "off", "jit", "off", "work_mem", "4MB"),
                row("-c application_name=my\\ app", "application_name", "my app"),
                row("-c application_name=my\\ app\\ name -c x.y=1", "application_name", "my app name", "x.y", "1"),
                row("--application_name=a\\ b", "application_name", "a b"),
                row("-c a=back\\\\slash", "a", "back\\slash"),
                row("-c a=b\\", "a", "b\\"),
                row("  -c \t a=b \n ", "a", "b"),
                row("-c a=", "a", ""),
                row("-c a=b=c", "a", "b=c"),
                row("-c a=1 -c a=2", "a", "2"),
                row("-c z=1 -c a=2 -c m=3", "z", "1", "a", "2", "m", "3"),
                row(""),
                row("   "),
                row("-c"),
                row("-c novalue"),
                row("-c =x"),
                row("a=b"),
                row("-d 5 -c a=b", "a", "b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void settingsOfOptions(Row row) {
        assertThat(OptionsParameter.settings(row.options())).containsExactlyEntriesOf(row.settings());
    }
}

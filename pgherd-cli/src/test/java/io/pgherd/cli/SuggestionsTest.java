package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {
    /** pgherd's commands, as Main lists them. */
    private static final List<String> COMMANDS = List.of("up", "down", "status", "proxy", "agent", "zookeeper", "list",
            "switchover", "failover", "pause", "resume", "history", "restart", "reinit", "config", "help");
    private static final List<String> LIST_OPTIONS = List.of("--json", "--dcs", "--cluster", "--dir", "--dcs-timeout",
            "--help", "-h", "--version", "-V");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "lsit       | list",
            "lst        | list",
            "LIST       | list",
            "stauts     | status",
            "sttaus     | status",
            "swicthover | switchover",
            "switchovr  | switchover",
            "falover    | failover",
            "histroy    | history",
            "confg      | config",
            "dwon       | down",
            "pu         | up",
            "zookeper   | zookeeper",
            "switch     | switchover",
            "zoo        | zookeeper",
            "restrat    | restart",
            "reinti     | reinit"})
    void aMistypedCommandSuggestsTheOneMeant(String typed, String meant) {
        assertThat(Suggestions.closest(typed, COMMANDS)).containsExactly(meant);
    }

    @ParameterizedTest(name = "{0} -> nothing")
    @CsvSource({"frobnicate", "x", "ls", "stop", "delete", "sw"})
    void aWordNearNothingSuggestsNothing(String typed) {
        assertThat(Suggestions.closest(typed, COMMANDS)).isEmpty();
    }

    @Test
    void equallyNearNamesAreAllSuggestedInOrderAndAStartOnlyWhenNothingIsNear() {
        assertThat(Suggestions.closest("pase", COMMANDS)).containsExactly("pause");
        assertThat(Suggestions.closest("rest", COMMANDS)).containsExactly("restart");
        assertThat(Suggestions.closest("re", List.of("ra", "rb", "rc", "rd"))).containsExactly("ra", "rb", "rc");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "--dri         | --dir",
            "--clustr      | --cluster",
            "--jsno        | --json",
            "--dcs-timout  | --dcs-timeout",
            "--dsc         | --dcs",
            "--josn        | --json"})
    void aMistypedOptionSuggestsTheOneMeant(String typed, String meant) {
        assertThat(Suggestions.closest(typed, LIST_OPTIONS)).containsExactly(meant);
    }

    @ParameterizedTest(name = "{0} characters: {1}")
    @CsvSource({"1, 1", "4, 1", "5, 2", "8, 2", "9, 3", "20, 3"})
    void longerWordsMayBeFurtherOff(int length, int limit) {
        assertThat(Suggestions.limit(length)).isEqualTo(limit);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "pgherd      | lsit                   | unknown command 'lsit' (did you mean 'list'?); 'pgherd --help' lists the commands",
            "pgherd      | frobnicate             | unknown command 'frobnicate'; 'pgherd --help' lists the commands",
            "pgherd list | --dri,/tmp/x           | unknown option '--dri' for 'pgherd list' (did you mean '--dir'?); 'pgherd list --help' lists the options",
            "pgherd list | --dri=/tmp/x,--jsno    | unknown option '--dri' for 'pgherd list' (did you mean '--dir'?); unknown option '--jsno' for 'pgherd list' (did you mean '--json'?); 'pgherd list --help' lists the options",
            "pgherd list | extra                  | unexpected argument 'extra' for 'pgherd list'; see 'pgherd list --help'"})
    void theMessageNamesEachUnknownWordAndWhatWasMeant(String command, String words, String message) {
        List<String> subcommands = command.equals("pgherd") ? COMMANDS : List.of();
        assertThat(UnknownArguments.message(command, List.of(words.split(",")), subcommands, LIST_OPTIONS)).isEqualTo(message);
    }

    @Test
    void aSubcommandOfASubcommandIsNamedWithItsCommand() {
        assertThat(UnknownArguments.message("pgherd config", List.of("sho"), List.of("show", "set", "edit"), List.of("--help")))
                .isEqualTo("unknown command 'sho' for 'pgherd config' (did you mean 'show'?); 'pgherd config --help' lists the commands");
    }
}

package io.pgherd.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StartupSettingsTest {
    private static final Map<String, String> SERVER = Map.of("server_version", "16.4", "client_encoding", "UTF8",
            "application_name", "", "in_hot_standby", "on");

    private static Map<String, String> startup(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("user", "u", "database", "d"));
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void clientEncodingIsReportedAndSetByTheServersNameForIt() {
        for (String spelled : new String[] {"utf8", "UTF-8", "unicode", "Utf_8"}) {
            StartupSettings s = StartupSettings.of(startup("client_encoding", spelled), SERVER);
            assertThat(s.reported()).as(spelled).containsEntry("client_encoding", "UTF8");
            assertThat(s.settings()).as(spelled).containsEntry("client_encoding", "UTF8");
        }
        assertThat(StartupSettings.of(startup("client_encoding", "latin1"), SERVER).reported())
                .containsEntry("client_encoding", "LATIN1");
        assertThat(StartupSettings.of(startup("client_encoding", "windows-1252"), SERVER).reported())
                .containsEntry("client_encoding", "WIN1252");
        assertThatThrownBy(() -> StartupSettings.of(startup("client_encoding", "klingon"), SERVER))
                .hasMessage("invalid value for parameter \"client_encoding\": \"klingon\"");
    }

    @Test
    void applicationNameIsWhatTheClientSentOrTheServersEmptyOne() {
        assertThat(StartupSettings.of(startup(), SERVER).reported()).containsEntry("application_name", "");
        assertThat(StartupSettings.of(startup("application_name", "web"), SERVER).reported())
                .containsEntry("application_name", "web");
    }

    @Test
    void aStartupParameterWinsOverTheSameSettingInOptions() {
        StartupSettings s = StartupSettings.of(startup("options", "-c application_name=opt -c work_mem=8MB",
                "application_name", "param"), SERVER);
        assertThat(s.settings()).containsEntry("application_name", "param").containsEntry("work_mem", "8MB")
                .doesNotContainKeys("user", "database", "options");
        assertThat(s.reported()).containsEntry("application_name", "param").containsEntry("in_hot_standby", "off");
    }
}

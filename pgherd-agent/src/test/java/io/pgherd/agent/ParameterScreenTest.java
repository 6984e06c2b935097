package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.pgherd.cluster.ParameterCatalogue;

/** What an agent writes of the dynamic configuration's parameters, and what it makes of the server's complaints. */
class ParameterScreenTest {
    private static final ParameterCatalogue PG15 = new ParameterCatalogue("15.18", Map.of(
            "shared_buffers", new ParameterCatalogue.Parameter("postmaster", "integer", "8kB", "16", "1073741823", List.of()),
            "work_mem", new ParameterCatalogue.Parameter("user", "integer", "kB", "64", "2147483647", List.of()),
            "timezone", new ParameterCatalogue.Parameter("user", "string", "", "", "", List.of())));
    private static final Optional<ParameterCatalogue> KNOWN = Optional.of(PG15);

    @Test
    void everythingPassesWhileNothingIsKnownAndNothingWasRefused() {
        ParameterScreen.Screened s = ParameterScreen.screen(Map.of("shared_bufers", "1", "work_mem", "8MB"), Optional.empty(),
                Map.of(), null);
        assertThat(s.parameters()).isEqualTo(Map.of("shared_bufers", "1", "work_mem", "8MB"));
        assertThat(s.rejected()).isEmpty();
    }

    @Test
    void aParameterTheCatalogueRefusesIsLeftOutAndReported() {
        ParameterScreen.Screened s = ParameterScreen.screen(Map.of("shared_bufers", "1", "work_mem", "8MB"), KNOWN, Map.of(), null);
        assertThat(s.parameters()).isEqualTo(Map.of("work_mem", "8MB"));
        assertThat(s.rejected()).containsOnlyKeys("shared_bufers");
        assertThat(s.rejected().get("shared_bufers")).endsWith("did you mean \"shared_buffers\"?");
    }

    @Test
    void aRefusedValueKeepsTheValueLastWritten() {
        ParameterScreen.Screened s = ParameterScreen.screen(Map.of("work_mem", "lots"), KNOWN, Map.of(), Map.of("work_mem", "8MB"));
        assertThat(s.parameters()).isEqualTo(Map.of("work_mem", "8MB"));
        assertThat(s.rejected()).containsOnlyKeys("work_mem");
    }

    @Test
    void aValueTheServerRefusedStaysOutWhileTheConfigurationAsksForItAndNotOnceItChanges() {
        Map<String, ParameterScreen.Refused> refused = Map.of("timezone", new ParameterScreen.Refused("Mars/Base",
                "invalid value for parameter \"TimeZone\": \"Mars/Base\""));
        ParameterScreen.Screened same = ParameterScreen.screen(Map.of("timezone", "Mars/Base"), KNOWN, refused, Map.of());
        ParameterScreen.Screened changed = ParameterScreen.screen(Map.of("timezone", "UTC"), KNOWN, refused, Map.of());
        assertThat(same.parameters()).isEmpty();
        assertThat(same.rejected()).containsEntry("timezone", "invalid value for parameter \"TimeZone\": \"Mars/Base\"");
        assertThat(changed.parameters()).isEqualTo(Map.of("timezone", "UTC"));
        assertThat(changed.rejected()).isEmpty();
    }

    @Test
    void theServersComplaintsAreRefusalsExceptARestartAndExceptWhatPgherdWrites() {
        List<ServerConfiguration.FileError> errors = List.of(
                new ServerConfiguration.FileError("shared_bufers", "1", "unrecognized configuration parameter"),
                new ServerConfiguration.FileError("shared_buffers", "256MB", ParameterScreen.NOT_APPLIED),
                new ServerConfiguration.FileError("timezone", "Mars/Base", ParameterScreen.NOT_APPLIED),
                new ServerConfiguration.FileError("port", "x", ParameterScreen.NOT_APPLIED));
        assertThat(ParameterScreen.refusals(errors, KNOWN, List.of("shared_bufers", "shared_buffers", "timezone")))
                .isEqualTo(Map.of("shared_bufers", "unrecognized configuration parameter",
                        "timezone", "PostgreSQL refused the value \"Mars/Base\""));
        assertThat(ParameterScreen.refusals(errors, Optional.empty(), List.of("shared_bufers", "timezone")))
                .as("without a catalogue, 'could not be applied' may be a restart").containsOnlyKeys("shared_bufers");
    }
}

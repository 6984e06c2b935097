package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.common.config.ConfigException;
import io.pgherd.common.config.ConfigProblem;

/** The dynamic configuration document: what it reads and every problem it refuses, listed together. */
class DynamicConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DynamicConfig.Timings FILE = new DynamicConfig.Timings(Duration.ofSeconds(5), Duration.ofMillis(500),
            Duration.ofSeconds(1), 1000);

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void anAbsentOrEmptyDocumentSetsNothing() {
        assertThat(DynamicConfig.parse(null)).isEqualTo(DynamicConfig.EMPTY);
        assertThat(DynamicConfig.parse(json("null"))).isEqualTo(DynamicConfig.EMPTY);
        assertThat(DynamicConfig.parse(json("{}"))).isEqualTo(DynamicConfig.EMPTY);
        assertThat(DynamicConfig.EMPTY.over(FILE)).isEqualTo(FILE);
        assertThat(DynamicConfig.EMPTY.setsTimings()).isFalse();
    }

    @Test
    void readsTimingsInSecondsOrWithUnitsAndParametersAsConfigurationText() {
        DynamicConfig c = DynamicConfig.parse(json("""
                {"pause": true, "ttl": 20, "loop_wait": "500ms", "retry_timeout": 2.5, "maximum_lag_on_failover": 1048576,
                 "synchronous_mode": true, "postgresql": {"parameters": {"work_mem": "8MB", "Max_Connections": 200, "jit": false, "log_min_duration_statement": null,
                                               "pg_stat_statements.track": "all", "random_page_cost": 1.1}}}"""));

        assertThat(c.pause()).isTrue();
        assertThat(c.ttl()).contains(Duration.ofSeconds(20));
        assertThat(c.loopWait()).contains(Duration.ofMillis(500));
        assertThat(c.retryTimeout()).contains(Duration.ofMillis(2500));
        assertThat(c.maximumLagOnFailover()).isEqualTo(OptionalLong.of(1048576));
        assertThat(c.synchronousMode()).contains(true);
        assertThat(DynamicConfig.EMPTY.synchronousMode()).isEmpty();
        assertThat(c.parameters()).containsExactlyInAnyOrderEntriesOf(Map.of("work_mem", "8MB", "max_connections", "200",
                "jit", "off", "pg_stat_statements.track", "all", "random_page_cost", "1.1"));
        assertThat(c.setsTimings()).isTrue();
    }

    @Test
    void timingsThatAreSetOverrideTheFilesAndTheOthersStay() {
        DynamicConfig c = DynamicConfig.parse(json("{\"loop_wait\": 1, \"maximum_lag_on_failover\": 0}"));

        assertThat(c.over(FILE)).isEqualTo(new DynamicConfig.Timings(Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0));
    }

    @Test
    void everyProblemIsListedAtOnceWithItsPath() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> DynamicConfig.parse(json("""
                {"pause": "yes", "ttl": true, "loop_wait": "50ms", "retry_timeout": "soon", "maximum_lag_on_failover": -1,
                 "synchronous_mode": "on", "loopwait": 1,
                 "postgresql": {"use_slots": true,
                                "parameters": {"port": 5433, "listen_addresses": "*", "primary_conninfo": "host=x",
                                               "recovery_target_time": "2030-01-01", "work_mem": {"a": 1}, "bad name": 1,
                                               "shared_buffers": "128MB"}}}""")));

        assertThat(e.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder("synchronous_mode", "loopwait", "pause",
                "ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover", "postgresql.use_slots",
                "postgresql.parameters.port", "postgresql.parameters.listen_addresses", "postgresql.parameters.primary_conninfo",
                "postgresql.parameters.recovery_target_time", "postgresql.parameters.work_mem", "postgresql.parameters.bad name");
        assertThat(e.problems()).extracting(ConfigProblem::toString).contains(
                "loopwait: unknown key (known: pause, ttl, loop_wait, retry_timeout, maximum_lag_on_failover, synchronous_mode,"
                        + " postgresql)",
                "synchronous_mode: must be true or false (got 'on')",
                "pause: must be true or false (got 'yes')",
                "ttl: must be seconds or a duration such as 500ms, 30s, 5min (got true)",
                "loop_wait: must be at least 100ms (got 50ms)",
                "retry_timeout: must be a duration such as 500ms, 30s, 5min or 1h (got 'soon')",
                "maximum_lag_on_failover: must be a whole number of bytes >= 0 (got -1)",
                "postgresql.use_slots: unknown key (known: parameters)",
                "postgresql.parameters.port: is managed by pgherd and cannot be set here (pgherd listens on 127.0.0.1 and"
                        + " agent.postgres.port)",
                "postgresql.parameters.work_mem: must be a string, number or boolean (got a mapping)",
                "postgresql.parameters.bad name: is not a PostgreSQL parameter name");
        assertThat(DynamicConfig.problems(json("{\"ttl\": true, \"pause\": 1}"))).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"port", "PORT", "listen_addresses", "data_directory", "hba_file", "primary_conninfo",
            "primary_slot_name", "synchronous_standby_names", "hot_standby", "wal_level", "cluster_name", "include_dir",
            "recovery_target_lsn", "unix_socket_directories"})
    void parametersPgherdSetsItselfAreRefused(String name) {
        assertThat(DynamicConfig.problems(json("{\"postgresql\": {\"parameters\": {\"" + name + "\": \"x\"}}}")))
                .singleElement().satisfies(p -> assertThat(p.message()).startsWith("is managed by pgherd"));
    }

    @Test
    void theTimingRuleIsCheckedWithDefaultsForWhatIsNotSet() {
        assertThat(DynamicConfig.problems(json("{\"ttl\": 5, \"loop_wait\": 2, \"retry_timeout\": 2}")))
                .singleElement().hasToString("ttl: loop_wait + 2 * retry_timeout must be <= ttl (got 2s + 2 * 2s > 5s): a leader"
                        + " cut off from the DCS must step down before its key expires");
        // Defaults: loop_wait 1 s, retry_timeout 3 s.
        assertThat(DynamicConfig.problems(json("{\"ttl\": 6}"))).hasSize(1);
        assertThat(DynamicConfig.problems(json("{\"ttl\": 7}"))).isEmpty();
        assertThat(DynamicConfig.problems(json("{\"ttl\": \"5s\", \"loop_wait\": \"1s\", \"retry_timeout\": \"2s\"}"))).isEmpty();
    }

    @Test
    void theTimingRuleWaitsUntilEachTimingIsValid() {
        assertThat(DynamicConfig.problems(json("{\"ttl\": 2, \"loop_wait\": \"x\"}"))).extracting(ConfigProblem::path)
                .containsExactly("loop_wait");
    }

    @Test
    void aDocumentMustBeAnObject() {
        assertThatThrownBy(() -> DynamicConfig.parse(json("[1]"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("(document): must be a JSON object (got a list)");
    }

    @Test
    void ruleProblemOfTimings() {
        assertThat(FILE.ruleProblem()).isEmpty();
        assertThat(new DynamicConfig.Timings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(1), 0).ruleProblem())
                .as("equal is allowed").isEmpty();
        assertThat(new DynamicConfig.Timings(Duration.ofMillis(2999), Duration.ofSeconds(1), Duration.ofSeconds(1), 0).ruleProblem())
                .isPresent();
        assertThat(DynamicConfig.Timings.DEFAULTS.ruleProblem()).isEqualTo(Optional.empty());
    }
}

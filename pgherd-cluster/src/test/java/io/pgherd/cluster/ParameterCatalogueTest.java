package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.common.config.ConfigProblem;

/** Names, types, units, ranges and enum values checked as PostgreSQL 15 checks them; rows copied from its pg_settings. */
class ParameterCatalogueTest {
    static final ParameterCatalogue PG15 = new ParameterCatalogue("15.18", rows());

    static Map<String, ParameterCatalogue.Parameter> rows() {
        Map<String, ParameterCatalogue.Parameter> m = new LinkedHashMap<>();
        m.put("block_size", p("internal", "integer", "", "8192", "8192"));
        m.put("checkpoint_timeout", p("sighup", "integer", "s", "30", "86400"));
        m.put("enable_seqscan", p("user", "bool", "", "", ""));
        m.put("log_min_duration_statement", p("superuser", "integer", "ms", "-1", "2147483647"));
        m.put("log_rotation_age", p("sighup", "integer", "min", "0", "35791394"));
        m.put("max_connections", p("postmaster", "integer", "", "1", "262143"));
        m.put("min_wal_size", p("sighup", "integer", "MB", "2", "2147483647"));
        m.put("random_page_cost", p("user", "real", "", "0", "1.79769e+308"));
        m.put("search_path", p("user", "string", "", "", ""));
        m.put("shared_buffers", p("postmaster", "integer", "8kB", "16", "1073741823"));
        m.put("statement_timeout", p("user", "integer", "ms", "0", "2147483647"));
        m.put("synchronous_commit", new ParameterCatalogue.Parameter("user", "enum", "", "", "",
                List.of("local", "remote_write", "remote_apply", "on", "off")));
        m.put("vacuum_cost_delay", p("user", "real", "ms", "0", "100"));
        m.put("wal_buffers", p("postmaster", "integer", "8kB", "-1", "262143"));
        m.put("wal_level", new ParameterCatalogue.Parameter("postmaster", "enum", "", "", "", List.of("minimal", "replica", "logical")));
        m.put("work_mem", p("user", "integer", "kB", "64", "2147483647"));
        return m;
    }

    private static ParameterCatalogue.Parameter p(String context, String type, String unit, String min, String max) {
        return new ParameterCatalogue.Parameter(context, type, unit, min, max, List.of());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "shared_buffers|128MB", "shared_buffers|16384", "shared_buffers|1GB", "shared_buffers|128kB", "shared_buffers| 64 MB ",
            "work_mem|8MB", "work_mem|64", "work_mem|1.5MB", "work_mem|0x100", "wal_buffers|-1",
            "statement_timeout|5s", "statement_timeout|1min", "statement_timeout|0", "statement_timeout|250ms",
            "statement_timeout|1500us", "checkpoint_timeout|1h", "checkpoint_timeout|1d", "log_rotation_age|1d",
            "log_min_duration_statement|-1", "min_wal_size|80MB", "min_wal_size|1GB",
            "enable_seqscan|off", "enable_seqscan|ON", "enable_seqscan|true", "enable_seqscan|yes", "enable_seqscan|0",
            "enable_seqscan|t", "enable_seqscan|of", "random_page_cost|1.1", "random_page_cost|4", "random_page_cost|1e3",
            "vacuum_cost_delay|2ms", "vacuum_cost_delay|1.5", "vacuum_cost_delay|500us",
            "wal_level|logical", "wal_level|REPLICA", "synchronous_commit|remote_apply", "synchronous_commit|true",
            "synchronous_commit|off", "search_path|'$user', public", "max_connections|200",
            "pg_stat_statements.max|10000"})
    void takesWhatPostgresqlTakes(String name, String value) {
        assertThat(PG15.problem(name, value)).isEmpty();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "shared_bufers|1|unknown parameter \"shared_bufers\" in PostgreSQL 15.18; did you mean \"shared_buffers\"?",
            "work_meme|8MB|unknown parameter \"work_meme\" in PostgreSQL 15.18; did you mean \"work_mem\"?",
            "xyzzy|1|unknown parameter \"xyzzy\" in PostgreSQL 15.18",
            "shared_buffers|1|\"1\" is outside the valid range: 1 is not within 16 .. 1073741823 (in units of 8kB)",
            "shared_buffers|100kB|\"100kB\" is outside the valid range: 12 is not within 16 .. 1073741823 (in units of 8kB)",
            "shared_buffers|128mb|invalid value \"128mb\": valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", \"TB\"",
            "shared_buffers|10TB|\"10TB\" is outside the valid range: 1342177280 is not within 16 .. 1073741823 (in units of 8kB)",
            "shared_buffers|lots|invalid value \"lots\": must be an integer, optionally with a unit (base unit 8kB)",
            "statement_timeout|5 parsecs|invalid value \"5 parsecs\": valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", \"d\"",
            "statement_timeout|5MB|invalid value \"5MB\": valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", \"d\"",
            "statement_timeout|-1|\"-1\" is outside the valid range: -1 is not within 0 .. 2147483647 (in units of ms)",
            "checkpoint_timeout|10s|\"10s\" is outside the valid range: 10 is not within 30 .. 86400 (in units of s)",
            "max_connections|0|\"0\" is outside the valid range: 0 is not within 1 .. 262143",
            "max_connections|100kB|invalid value \"100kB\": this parameter takes no unit",
            "max_connections|1.5e10|invalid value \"1.5e10\": outside the range of an integer",
            "enable_seqscan|maybe|invalid value \"maybe\": must be a boolean (on, off, true, false, yes, no, 1, 0)",
            "enable_seqscan|o|invalid value \"o\": must be a boolean (on, off, true, false, yes, no, 1, 0)",
            "wal_level|archive2|invalid value \"archive2\": must be one of minimal, replica, logical",
            "wal_level|on|invalid value \"on\": must be one of minimal, replica, logical",
            "synchronous_commit|always|invalid value \"always\": must be one of local, remote_write, remote_apply, on, off",
            "vacuum_cost_delay|101|\"101\" is outside the valid range: 101.0 is not within 0 .. 100 (in units of ms)",
            "random_page_cost|cheap|invalid value \"cheap\": must be a number",
            "block_size|16384|cannot be set: it is fixed when PostgreSQL is built or initialized"})
    void refusesWhatPostgresqlRefusesSayingWhy(String name, String value, String problem) {
        assertThat(PG15.problem(name, value)).contains(problem);
    }

    @Test
    void listsEveryProblemWithItsPathInNameOrder() {
        Map<String, String> parameters = Map.of("work_mem", "8MB", "shared_bufers", "1", "wal_level", "lots");
        assertThat(PG15.problems(parameters, "postgresql.parameters.")).extracting(ConfigProblem::path)
                .containsExactly("postgresql.parameters.shared_bufers", "postgresql.parameters.wal_level");
    }

    @Test
    void namesTheParametersThatNeedARestart() {
        assertThat(PG15.needingRestart(List.of("work_mem", "shared_buffers", "MAX_CONNECTIONS", "unknown")))
                .containsExactly("max_connections", "shared_buffers");
    }

    @Test
    void dynamicConfigListsCatalogueProblemsWithItsOwn() {
        com.fasterxml.jackson.databind.node.ObjectNode document = ClusterJson.object();
        document.put("ttl", 1);
        document.putObject("postgresql").putObject("parameters").put("shared_bufers", 1).put("port", 5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DynamicConfig.parse(document, Optional.of(PG15)))
                .isInstanceOfSatisfying(io.pgherd.common.config.ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::path).containsExactlyInAnyOrder("ttl", "postgresql.parameters.port",
                                "postgresql.parameters.shared_bufers"));
        assertThat(DynamicConfig.problems(document)).extracting(ConfigProblem::path)
                .doesNotContain("postgresql.parameters.shared_bufers");
    }

    @Test
    void readsWhatItWrites() {
        assertThat(ClusterJson.read("parameters", ClusterJson.write(PG15), ParameterCatalogue.class)).isEqualTo(PG15);
    }
}

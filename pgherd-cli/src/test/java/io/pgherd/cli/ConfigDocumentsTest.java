package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.DynamicConfig;

/** KEY=VALUE assignments, YAML both ways and the diff that {@code pgherd config} prints. */
class ConfigDocumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void assignmentsBecomeAMergePatchWithJsonValuesWhereTheyReadAsJson() throws Exception {
        assertThat(ConfigDocuments.patch(List.of("ttl=20", "pause=true", "loop_wait=500ms", "postgresql.parameters.work_mem=8MB",
                "postgresql.parameters.pg_stat_statements.track=all", "postgresql.parameters.search_path=\"$user\", public",
                "postgresql.parameters.application_name=\"20\"", "retry_timeout=null", "maximum_lag_on_failover=")))
                .isEqualTo(json("""
                        {"ttl": 20, "pause": true, "loop_wait": "500ms",
                         "postgresql": {"parameters": {"work_mem": "8MB", "pg_stat_statements.track": "all",
                                                       "search_path": "\\"$user\\", public", "application_name": "20"}},
                         "retry_timeout": null, "maximum_lag_on_failover": null}"""));
    }

    @Test
    void anAssignmentNeedsAKeyAndAnEqualsSign() {
        assertThatThrownBy(() -> ConfigDocuments.patch(List.of("ttl"))).hasMessageContaining("expected KEY=VALUE");
        assertThatThrownBy(() -> ConfigDocuments.patch(List.of("=20"))).hasMessageContaining("expected KEY=VALUE");
        assertThatThrownBy(() -> ConfigDocuments.patch(List.of("postgresql..x=1"))).hasMessage("empty part in key 'postgresql..x'");
    }

    @Test
    void theDiffNamesEachAddedRemovedAndChangedKeyPath() throws Exception {
        JsonNode before = json("{\"ttl\": 10, \"loop_wait\": 1, \"postgresql\": {\"parameters\": {\"work_mem\": \"4MB\","
                + " \"application_name\": \"20\"}}}");
        JsonNode after = json("{\"ttl\": 20, \"pause\": true, \"postgresql\": {\"parameters\": {\"work_mem\": \"4MB\","
                + " \"application_name\": 20, \"jit\": \"off\"}}}");

        assertThat(ConfigDocuments.diff(before, after)).containsExactly(
                "- loop_wait: 1",
                "+ pause: true",
                "~ postgresql.parameters.application_name: \"20\" -> 20",
                "+ postgresql.parameters.jit: off",
                "~ ttl: 10 -> 20");
        assertThat(ConfigDocuments.diff(after, after)).isEmpty();
    }

    @Test
    void yamlReadsBackAsTheSameDocument() throws Exception {
        JsonNode document = json("{\"ttl\": 20, \"pause\": false, \"loop_wait\": \"500ms\", \"postgresql\": {\"parameters\":"
                + " {\"jit\": \"off\", \"enable_seqscan\": \"on\", \"application_name\": \"20\", \"log_line_prefix\": \"%m [%p] \","
                + " \"search_path\": \"\\\"$user\\\", public\", \"random_page_cost\": 1.1, \"empty\": \"\"}}}");

        String yaml = ConfigDocuments.yaml(document);

        assertThat(ConfigDocuments.parse(yaml)).isEqualTo(document);
        assertThat(ConfigDocuments.diff(document, ConfigDocuments.parse(yaml))).isEmpty();
    }

    @Test
    void anEditedDocumentMustBeAMapping() {
        assertThat(ConfigDocuments.parse("  \n")).isEmpty();
        assertThat(ConfigDocuments.parse("# all gone\n")).isEmpty();
        assertThatThrownBy(() -> ConfigDocuments.parse("- ttl\n")).hasMessageContaining("must be a mapping of keys (got array)");
        assertThatThrownBy(() -> ConfigDocuments.parse("ttl: [1\n")).hasMessageStartingWith("not valid YAML: ");
    }

    @Test
    void effectiveConfigurationOfANewClusterShowsEveryDefaultMarkedAsSuch() throws Exception {
        String shown = ConfigDocuments.effective(JSON.readTree("{}"), DynamicConfig.Timings.DEFAULTS,
                new LinkedHashMap<>(Map.of("shared_buffers", "64MB")));

        assertThat(shown).isEqualTo("""
                pause: false  # default
                ttl: 10s  # default (unless agent.ha.ttl of an agent's file says otherwise)
                loop_wait: 1s  # default (unless agent.ha.loop_wait of an agent's file says otherwise)
                retry_timeout: 3s  # default (unless agent.ha.retry_timeout of an agent's file says otherwise)
                maximum_lag_on_failover: 1048576  # default (unless agent.ha.maximum_lag_on_failover of an agent's file says otherwise)
                synchronous_mode: false  # default (unless agent.ha.synchronous_mode of an agent's file says otherwise)
                postgresql:
                  parameters:
                    shared_buffers: 64MB  # pgherd's default
                """);
        assertThat(ConfigDocuments.parse(shown).get("ttl").asText()).isEqualTo("10s");
    }

    @Test
    void effectiveConfigurationShowsWhatIsSetUnmarkedAndKeepsUnknownKeys() throws Exception {
        String shown = ConfigDocuments.effective(JSON.readTree("{\"ttl\": 20, \"pause\": true, \"zone\": \"eu\","
                + " \"postgresql\": {\"parameters\": {\"shared_buffers\": \"1GB\", \"work_mem\": \"8MB\"}}}"),
                DynamicConfig.Timings.DEFAULTS, new LinkedHashMap<>(Map.of("shared_buffers", "64MB")));

        assertThat(shown).startsWith("pause: true\nttl: 20\nloop_wait: 1s  # default").contains("""
                postgresql:
                  parameters:
                    shared_buffers: 1GB
                    work_mem: 8MB
                zone: eu
                """);
    }
}

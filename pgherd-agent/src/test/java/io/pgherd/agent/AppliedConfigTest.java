package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.cluster.DynamicConfig;
import io.pgherd.common.config.ConfigProblem;

/** What a member takes from the documents it reads in the DCS (no PostgreSQL involved). */
class AppliedConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DynamicConfig.Timings FILE = new DynamicConfig.Timings(Duration.ofSeconds(5), Duration.ofMillis(500),
            Duration.ofSeconds(1), 1000);

    private final AppliedConfig applied = new AppliedConfig("n1", FILE);

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void runsWithTheFilesTimingsUntilTheDcsSetsOthers() throws Exception {
        assertThat(applied.timings()).isEqualTo(FILE);

        assertThat(applied.adopt(json("{\"loop_wait\": 1, \"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}}"))).isEmpty();

        assertThat(applied.timings()).isEqualTo(new DynamicConfig.Timings(Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1000));
        assertThat(applied.parameters()).isEqualTo(Map.of("work_mem", "8MB"));

        applied.adopt(json("{}"));
        assertThat(applied.timings()).isEqualTo(FILE);
        assertThat(applied.parameters()).isEmpty();
    }

    @Test
    void timingsThatBreakTheRuleWithTheFilesAreNotTaken() throws Exception {
        // Valid on its own (with the default retry_timeout of 3 s: 1 + 6 <= 8), but not with this file's ttl of 5 s.
        assertThat(applied.adopt(json("{\"loop_wait\": 4, \"ttl\": 11}"))).isEmpty();
        assertThat(applied.timings().loopWait()).isEqualTo(Duration.ofSeconds(4));

        applied.adopt(json("{\"loop_wait\": 4}"));

        assertThat(applied.timings().loopWait()).as("4 s + 2 * 1 s > 5 s: the last timings stay").isEqualTo(Duration.ofSeconds(4));
        assertThat(applied.timings().ttl()).isEqualTo(Duration.ofSeconds(11));
    }

    @Test
    void anInvalidDocumentChangesNothingAndSaysWhy() throws Exception {
        applied.adopt(json("{\"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}}"));

        assertThat(applied.adopt(json("{\"ttl\": \"soon\", \"postgresql\": {\"parameters\": {\"work_mem\": \"9MB\"}}}")))
                .extracting(ConfigProblem::path).containsExactly("ttl");

        assertThat(applied.parameters()).isEqualTo(Map.of("work_mem", "8MB"));
        assertThat(applied.timings()).isEqualTo(FILE);
    }

    @Test
    void keysThisVersionDoesNotKnowAreIgnored() throws Exception {
        assertThat(applied.adopt(json("{\"synchronous_mode\": true, \"postgresql\": {\"parameters\": {\"work_mem\": \"8MB\"}}}")))
                .isEmpty();

        assertThat(applied.parameters()).isEqualTo(Map.of("work_mem", "8MB"));
    }
}

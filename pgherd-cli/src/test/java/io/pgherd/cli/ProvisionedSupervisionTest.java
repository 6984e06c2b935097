package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.cluster.Assignment;

/**
 * Which read replicas of the local provisioner the supervisor keeps: each row the members recorded, those
 * whose agent has a PID file, the assignments ({@code name:d} draining, {@code name:r} not), and the answer.
 */
class ProvisionedSupervisionTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "started by the provisioner: kept                  | node3 node4 | node3 node4 |             | node3 node4",
            "stopped by the provisioner or down (no PID file)  | node3 node4 | node4       |             | node4",
            "marked draining: being removed, not kept          | node3 node4 | node3 node4 | node3:d     | node4",
            "assigned, not draining: kept                      | node3       | node3       | node3:r     | node3",
            "released: no longer recorded                      |             | node3       |             | ''",
            "a PID file of a member not recorded is ignored    | node4       | node3 node4 | node3:r     | node4",
    })
    void keepsRecordedStartedMembersNotDraining(String name, String recorded, String pidFiles, String assignments,
                                                String kept) {
        Map<String, Assignment> byMember = new TreeMap<>();
        for (String a : words(assignments)) {
            String member = a.split(":")[0];
            byMember.put(member, Assignment.of(member, Assignment.Role.REPLICA, a.endsWith(":d"), "t-1", 1));
        }
        assertThat(ProvisionedSupervision.supervised(words(recorded), words(pidFiles)::contains, byMember))
                .isEqualTo(words(kept));
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.strip().split("\\s+"));
    }
}

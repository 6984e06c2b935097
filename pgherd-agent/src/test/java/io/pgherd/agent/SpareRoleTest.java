package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.agent.ha.AssignmentRead;
import io.pgherd.agent.ha.HaSettings;
import io.pgherd.cluster.Assignment;

/**
 * The role a member record says, by the agent's role and the assignments read in two cycles: each row the agent's
 * role, whether it fails over, the first assignment read, the second, whether the DCS answered the second, and the
 * role published then. No PostgreSQL is touched (no RETIRE here).
 */
class SpareRoleTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                        | role    | noFailover | first   | second  | reachable | published
            "a spare without assignment is a spare         | SPARE   | true       | none    | none    | true      | spare",
            "a spare assigned a read replica is a replica  | SPARE   | true       | none    | replica | true      | replica",
            "a spare assigned back to spare is a spare     | SPARE   | true       | replica | spare   | true      | spare",
            "an assignment no longer there: a spare        | SPARE   | true       | replica | none    | true      | spare",
            "no answer from the DCS keeps the assignment   | SPARE   | true       | replica | none    | false     | replica",
            "an unreadable assignment keeps the assignment | SPARE   | true       | replica | unreadable | true   | replica",
            "an assignment of a newer release: a spare     | SPARE   | true       | none    | newer   | true      | spare",
            "a standby is a standby whatever it is assigned | STANDBY | false     | none    | spare   | true      | standby",
            "a replica is a replica                        | REPLICA | true       | none    | none    | true      | replica",
    })
    void publishesTheRoleOfTheAssignmentLastRead(String name, AgentConfig.Role role, boolean noFailover, String first,
                                                 String second, boolean reachable, String published) {
        SpareRole spares = new SpareRole("r1", role, null);
        HaSettings settings = new HaSettings("r1", noFailover, 0, 1_000, false, 3);
        spares.assignment(read(first, true));
        spares.assignment(read(second, reachable));
        assertThat(spares.spare()).isEqualTo(role == AgentConfig.Role.SPARE);
        assertThat(spares.role(settings)).isEqualTo(published);
    }

    /** The assignment as a cycle read it; {@code reachable} false: the DCS did not answer, nothing was read. */
    private static AssignmentRead read(String what, boolean reachable) {
        if (!reachable) {
            return new AssignmentRead.NotRead();
        }
        return switch (what) {
            case "none" -> new AssignmentRead.Absent();
            case "unreadable" -> new AssignmentRead.Unreadable();
            case "replica" -> new AssignmentRead.Found(Assignment.of("r1", Assignment.Role.REPLICA, false, "t-1", 3));
            case "spare" -> new AssignmentRead.Found(Assignment.of("r1", Assignment.Role.SPARE, false, "t-2", 3));
            case "newer" -> new AssignmentRead.Found(new Assignment(99, "r1", Assignment.Role.REPLICA, false, "t-1", 3, null));
            default -> throw new IllegalArgumentException(what);
        };
    }
}

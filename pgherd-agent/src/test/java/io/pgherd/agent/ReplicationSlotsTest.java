package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a member's replication slot is named: PostgreSQL takes only lower-case letters, digits and underscores. */
class ReplicationSlotsTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "node1, node1",
            "Node1, node1",
            "r-3, r_3",
            "db.east.2, db_east_2",
            "a_b, a_b",
    })
    void slotIsTheMemberNameInLowerCaseWithOtherCharactersAsUnderscores(String member, String slot) {
        assertThat(ReplicationSlots.slotName(member)).isEqualTo(slot);
    }

    @Test
    void slotsOfMembersAreTheirSlotNames() {
        assertThat(ReplicationSlots.slotNames(List.of("node2", "R-3"))).containsExactlyInAnyOrder("node2", "r_3");
    }
}

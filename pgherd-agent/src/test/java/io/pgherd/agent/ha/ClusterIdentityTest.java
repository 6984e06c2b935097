package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.agent.ha.ClusterIdentity.Outcome;

/** Each row: the DCS's system_id, this data directory's, whether this member leads, and what the agent does. */
class ClusterIdentityTest {
    @ParameterizedTest(name = "recorded {0}, local {1}, leading {2}: {3}")
    @CsvSource(nullValues = "-", value = {
            // no data directory: nothing to compare (initialize or clone decide)
            "-,   -,   false, JOIN",
            "111, -,   false, JOIN",
            "111, -,   true,  JOIN",
            // nothing recorded: a leader records its data's identifier, anyone else waits for it
            "-,   111, false, JOIN",
            "-,   111, true,  RECORD",
            // recorded: the same data joins, other data is refused whether or not it (thinks it) leads
            "111, 111, false, JOIN",
            "111, 111, true,  JOIN",
            "111, 222, false, REFUSE",
            "111, 222, true,  REFUSE",
    })
    void decides(String recorded, String local, boolean leading, Outcome expected) {
        ClusterIdentity.Verdict v = ClusterIdentity.check("c1", Optional.ofNullable(recorded), Optional.ofNullable(local),
                leading);
        assertThat(v.outcome()).isEqualTo(expected);
        assertThat(v.systemId()).isEqualTo(expected == Outcome.RECORD ? local : "");
    }

    @ParameterizedTest
    @CsvSource({"111, 222"})
    void aRefusalNamesBothIdentifiersTheClusterAndTheWayOut(String recorded, String local) {
        assertThat(ClusterIdentity.check("c1", Optional.of(recorded), Optional.of(local), false).sentence())
                .contains("system identifier 222", "system identifier 111", "cluster named c1", "refusing to join",
                        "--cluster NAME");
    }
}

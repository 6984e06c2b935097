package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pgherd.cluster.Assignment;

/**
 * Which members the leader (node1) keeps a slot for: each row the members it tracks (seen within the
 * retention), those with a live record, the assignments ({@code name:d} draining, {@code name:r} not),
 * those it knew draining before, and what it knows draining after and keeps slots for.
 */
class SlotRulesTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                          | tracked            | live         | assignments  | before | draining after | keep
            "live members keep their slots                   | node1 node2 node3  | node1 node2 node3 |         |        |                | node2 node3",
            "one seen lately but gone keeps its slot         | node1 node2 node3  | node1 node2  |              |        |                | node2 node3",
            "a draining member keeps its slot while it runs  | node1 node2 r3     | node1 node2 r3 | r3:d       |        | r3             | node2 r3",
            "a draining member gone keeps none               | node1 node2 r3     | node1 node2  | r3:d         |        | r3             | node2",
            "released (assignment deleted) it keeps none     | node1 node2 r3     | node1 node2  |              | r3     | r3             | node2",
            "released and its record still lingers           | node1 node2 r3     | node1 node2 r3 |            | r3     | r3             | node2 r3",
            "a removal rolled back keeps the slot again      | node1 node2 r3     | node1 node2  | r3:r         | r3     |                | node2 r3",
            "a member forgotten (retention) is forgotten     | node1 node2        | node1 node2  |              | r3     |                | node2",
            "a draining assignment of another keeps this one | node1 node2 r3     | node1 node2  | r4:d         |        |                | node2 r3",
            "an assignment not draining changes nothing      | node1 node2 r3     | node1 node2  | r3:r         |        |                | node2 r3",
    })
    void keepsSlotsForMembersNotRemoved(String name, String tracked, String live, String assignments, String before,
                                        String drainingAfter, String keep) {
        Map<String, Assignment> byMember = new TreeMap<>();
        for (String a : words(assignments)) {
            String member = a.split(":")[0];
            byMember.put(member, Assignment.of(member, Assignment.Role.REPLICA, a.endsWith(":d"), "t-1", 1));
        }
        Set<String> draining = SlotRules.drainingSeen(words(before), byMember, words(tracked));

        assertThat(draining).isEqualTo(words(drainingAfter));
        assertThat(SlotRules.keep(words(tracked), words(live), draining, "node1")).isEqualTo(words(keep));
    }

    private static Set<String> words(String text) {
        return text == null || text.isBlank() ? Set.of() : new TreeSet<>(Arrays.asList(text.strip().split("\\s+")));
    }

    /**
     * A standby's slots over two looks a minute apart: each row the slots inactive at the first look (at 0 s), those
     * inactive at the second (at {@code at} s), and which it drops then. A slot in use at one look starts its minute
     * again.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                              | first      | second     | at  | drop
            "a slot inactive a minute is dropped                 | node4      | node4      | 60  | node4",
            "not before the minute is over                       | node4      | node4      | 59  | ",
            "a slot new at the second look waits its minute      |            | node4      | 60  | ",
            "a slot in use at the second look is not dropped     | node4      |            | 60  | ",
            "each slot by its own time                           | node4      | node4 node5 | 61 | node4",
            "none at all                                         |            |            | 60  | ",
    })
    void aStandbyDropsSlotsInactiveForAMinute(String name, String first, String second, long at, String drop) {
        Map<String, Long> afterFirst = SlotRules.inactiveSince(Map.of(), new TreeSet<>(words(first)), 0);
        assertThat(SlotRules.staleOnStandby(afterFirst, 0)).as("at the first look").isEmpty();
        Map<String, Long> afterSecond = SlotRules.inactiveSince(afterFirst, new TreeSet<>(words(second)), at * 1000);
        assertThat(SlotRules.staleOnStandby(afterSecond, at * 1000)).isEqualTo(new TreeSet<>(words(drop)));
    }

    @Test
    void aSlotInUseForAMomentStartsItsMinuteAgain() {
        Map<String, Long> seen = SlotRules.inactiveSince(Map.of(), Set.of("node4"), 0);
        seen = SlotRules.inactiveSince(seen, Set.of(), 30_000);
        seen = SlotRules.inactiveSince(seen, Set.of("node4"), 40_000);
        assertThat(SlotRules.staleOnStandby(seen, 90_000)).as("50 s inactive since it was last in use").isEmpty();
        assertThat(SlotRules.staleOnStandby(seen, 100_000)).containsExactly("node4");
    }
}

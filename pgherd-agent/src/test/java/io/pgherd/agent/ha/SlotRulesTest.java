package io.pgherd.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
}

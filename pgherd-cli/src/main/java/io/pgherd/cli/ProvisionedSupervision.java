package io.pgherd.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.pgherd.cluster.Assignment;

/**
 * Which read replicas made by the local provisioner ({@value LocalProvisioner#RECORD_FILE}) the supervisor
 * keeps running, a pure rule: one still recorded, whose agent has a PID file (the provisioner's {@code start}
 * wrote it; a stop by the provisioner or {@code pgherd down} removed it, so a PID file whose process is gone
 * means the agent died), and which the controller has not marked draining (it is being removed: its agent is
 * stopped on purpose). A member released is no longer recorded: it is not supervised any more.
 */
final class ProvisionedSupervision {
    private ProvisionedSupervision() {
    }

    /**
     * @param recorded the members the local provisioner made, still recorded
     * @param hasPidFile whether a member's agent has a PID file
     * @param assignments the controller's assignments by member, as last read from the DCS (empty when unread)
     * @return the members to supervise, in the order of {@code recorded}
     */
    static List<String> supervised(List<String> recorded, Predicate<String> hasPidFile, Map<String, Assignment> assignments) {
        return recorded.stream().filter(hasPidFile)
                .filter(member -> assignments.get(member) == null || !assignments.get(member).draining()).toList();
    }
}

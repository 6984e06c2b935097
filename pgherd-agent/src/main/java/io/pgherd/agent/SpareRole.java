package io.pgherd.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pgherd.agent.ha.AssignmentRead;
import io.pgherd.agent.ha.HaSettings;
import io.pgherd.agent.ha.SpareRules;

/**
 * What the agent does as a spare ({@code agent.role: spare}), acting on {@link SpareRules}: it remembers whether
 * the controller's assignment, as last read, asks it to serve as a read replica (which its member record then
 * says), and retires it (stops PostgreSQL, wipes the data) when released. The clone on assignment is the usual
 * {@code CLONE} action. For an agent that is not a spare it says so and changes nothing. Not thread-safe: the
 * agent's loop thread only.
 */
final class SpareRole {
    private static final Logger log = LoggerFactory.getLogger(SpareRole.class);

    private final String name;
    private final boolean spare;
    private final LocalNode local;
    /** A spare: whether its assignment, as last read, asks it to serve as a read replica. */
    private boolean spareAssigned;

    SpareRole(String name, AgentConfig.Role role, LocalNode local) {
        this.name = name;
        this.spare = role == AgentConfig.Role.SPARE;
        this.local = local;
    }

    /** Whether this agent is a spare ({@code agent.role: spare}). */
    boolean spare() {
        return spare;
    }

    /** Takes this cycle's read of the member's assignment; one that told nothing (unreadable, not read) changes nothing. */
    void assignment(AssignmentRead assignment) {
        if (spare) {
            spareAssigned = SpareRules.assigned(assignment, spareAssigned);
        }
    }

    /** The role the member record says: {@value SpareRules#SPARE_ROLE} for a spare not assigned, else its HA role. */
    String role(HaSettings settings) {
        return spare && !spareAssigned ? SpareRules.SPARE_ROLE : settings.noFailover() ? "replica" : "standby";
    }

    /** The RETIRE action: stops PostgreSQL and wipes the data directory ({@link DataDirectory#wipe}); the member is a spare again. */
    void retire() {
        local.dataDirectory().wipe();
        log.info("{}: stopped PostgreSQL and wiped its data: a spare again", name);
    }
}

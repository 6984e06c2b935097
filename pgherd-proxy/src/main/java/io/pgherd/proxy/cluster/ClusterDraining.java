package io.pgherd.proxy.cluster;

import java.util.Set;
import java.util.TreeSet;

import io.pgherd.cluster.Assignment;
import io.pgherd.cluster.ClusterSnapshot;
import io.pgherd.cluster.Member;

/**
 * Which members the cluster drains (DESIGN.md §2): those whose member record says {@code draining} (their
 * agent publishes what its assignment says) and those whose assignment says so, read directly, so a proxy
 * drains a member as soon as the controller asks, without waiting for the member's agent. Pure.
 */
public final class ClusterDraining {
    private ClusterDraining() {
    }

    /** The members {@code cluster} drains, sorted. */
    public static Set<String> of(ClusterSnapshot cluster) {
        Set<String> out = new TreeSet<>();
        for (Member m : cluster.members().values()) {
            if (m.draining()) {
                out.add(m.name());
            }
        }
        for (Assignment a : cluster.assignments().values()) {
            if (a.draining()) {
                out.add(a.member());
            }
        }
        return out;
    }
}

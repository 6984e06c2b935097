package io.pgherd.proxy.cluster;

import java.util.List;

import io.pgherd.proxy.config.ProxyConfig;
import io.pgherd.proxy.topology.Backends;

/**
 * What the {@link ClusterFollower} drives of the proxy it runs in, and all it sees of it: the
 * proxy implements this, so that this package needs nothing of the proxy's own. Thread-safe.
 */
public interface FollowedProxy {
    /** The configuration in effect now (swapped whole on RELOAD and when the nodes change). */
    ProxyConfig config();

    /** The nodes as health checks see them: whether the leader answers as a writable primary. */
    Backends backends();

    /** The gate the follower closes while the cluster has no confirmed writable leader. */
    WriteGate writes();

    /** The epoch of the leader key the primary holds now. */
    long leaderEpoch();

    /** Takes the nodes as the cluster shows them, the leader (of epoch {@code epoch}) as the primary. */
    void followNodes(List<ProxyConfig.Node> nodes, long epoch);

    /** Has {@code watcher} told what sessions see of the primary. */
    void watch(PrimaryWatcher watcher);
}

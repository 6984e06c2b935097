/**
 * The distributed configuration store (DCS) every pgherd process shares: the {@link io.pgherd.dcs.Dcs}
 * interface, documented by the guarantee of each method, and its two backends,
 * {@link io.pgherd.dcs.EtcdDcs} (etcd v3 through jetcd) and {@link io.pgherd.dcs.ZooKeeperDcs}
 * (ZooKeeper through Apache Curator), plus {@link io.pgherd.dcs.EmbeddedZooKeeper}, the real
 * ZooKeeper server that local mode runs inside the JVM.
 *
 * <p>Keys of a cluster live under {@code /pgherd/<cluster>/} ({@link io.pgherd.dcs.ClusterKeys}).
 * Ephemeral keys (leader, members, proxies) are bound to a {@link io.pgherd.dcs.Session}; a lost
 * session never heals. The creation revision of the leader key is the epoch, the fencing token.
 */
package io.pgherd.dcs;

package io.pgherd.cli;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.postgres.Processes;

/**
 * The check {@code pgherd up} makes before it starts any part of a cluster: every port a part that
 * does not run yet will listen on is free, or the command fails naming each taken port, what it is
 * for and who holds it ({@link PortPlan}), with nothing started.
 */
final class StartPorts {
    private StartPorts() {
    }

    /**
     * @throws CommandFailure when a port of a part that is about to start is taken
     */
    static void requireFree(ClusterDirectory directory, LocalState state, LocalCluster cluster) {
        PortPlan plan = PortPlan.onThisMachine();
        LocalAgents agents = new LocalAgents(directory, state, cluster);
        agents.zooKeeper().filter(zk -> !zk.isRunning()).ifPresent(zk -> plan.require(zk.port(), "the embedded ZooKeeper"));
        for (LocalState.Node node : state.nodes()) {
            if (cluster.node(node.name()).postmasterPid().stream().noneMatch(Processes::isRunning)) {
                plan.require(node.port(), "PostgreSQL of " + node.name());
            }
            if (state.highlyAvailable() && !agents.agent(node).isRunning()) {
                plan.require(node.apiPort(), "the REST API of the agent of " + node.name());
            }
        }
        for (LocalProxy proxy : LocalProxy.all(directory, state)) {
            if (!proxy.daemon().isRunning()) {
                plan.require(proxy.recorded().port(), "the clients of " + proxy.recorded().name());
                plan.require(proxy.recorded().metricsPort(), "the metrics of " + proxy.recorded().name());
            }
        }
        LocalControllers controllers = new LocalControllers(directory, state);
        for (String name : controllers.names()) {
            int metrics = controllers.metricsPort(name);
            if (metrics > 0 && !controllers.daemon(name).isRunning()) {
                plan.require(metrics, "the metrics of controller " + name);
            }
        }
        plan.check();
    }
}

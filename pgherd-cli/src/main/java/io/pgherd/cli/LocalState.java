package io.pgherd.cli;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.pgherd.postgres.NodeRole;
import io.pgherd.postgres.NodeSpec;

/**
 * What {@code pgherd up} records about a local cluster so later commands find it again.
 *
 * @param pgBin the PostgreSQL binaries the cluster was created with
 * @param postgresVersion their version
 * @param nodes the nodes, primary first
 * @param proxyPort the port of the first proxy in front of the cluster ({@code proxies.get(0)})
 * @param metricsPort the port of the first proxy's Prometheus endpoint
 * @param dcs the DCS the agents use ({@code zookeeper://127.0.0.1:<zooKeeperPort>} for the embedded one)
 * @param cluster the cluster's name in the DCS
 * @param zooKeeperPort the port of the embedded ZooKeeper, or 0 when the DCS is an external one
 * @param proxies every proxy, {@code proxy1} first (a file written before there could be several has none
 *                recorded: then the one proxy of {@code proxyPort} and {@code metricsPort})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record LocalState(@JsonProperty("pg_bin") String pgBin, @JsonProperty("postgres_version") String postgresVersion,
                  @JsonProperty("nodes") List<Node> nodes, @JsonProperty("proxy_port") int proxyPort,
                  @JsonProperty("metrics_port") int metricsPort, @JsonProperty("dcs") String dcs,
                  @JsonProperty("cluster") String cluster, @JsonProperty("zookeeper_port") int zooKeeperPort,
                  @JsonProperty("proxies") List<Proxy> proxies) {

    LocalState {
        proxies = proxies == null || proxies.isEmpty() ? List.of(new Proxy(Proxy.name(1), proxyPort, metricsPort))
                : List.copyOf(proxies);
    }

    /**
     * One proxy as recorded.
     *
     * @param name its name in the DCS ({@code proxy.cluster.proxy_name}): {@code proxy1}, {@code proxy2} …
     * @param port the port it listens on for clients
     * @param metricsPort the port of its Prometheus endpoint
     */
    record Proxy(@JsonProperty("name") String name, @JsonProperty("port") int port,
                 @JsonProperty("metrics_port") int metricsPort) {
        /** The name of the {@code k}th proxy (from 1). */
        static String name(int k) {
            return "proxy" + k;
        }
    }

    /**
     * One node as recorded.
     *
     * @param role the role it was created with (which member leads now is the DCS's business)
     * @param apiPort the port of its agent's REST API
     */
    record Node(@JsonProperty("name") String name, @JsonProperty("role") String role, @JsonProperty("port") int port,
                @JsonProperty("api_port") int apiPort) {
    }

    /** Whether the cluster runs with agents (every cluster made by this version; not one made before HA existed). */
    boolean highlyAvailable() {
        return dcs != null && !dcs.isBlank();
    }

    List<NodeSpec> layoutNodes() {
        return nodes.stream().map(n -> new NodeSpec(n.name(), NodeRole.fromLabel(n.role()), n.port())).toList();
    }

    LocalState withNodes(List<Node> newNodes) {
        return new LocalState(pgBin, postgresVersion, newNodes, proxyPort, metricsPort, dcs, cluster, zooKeeperPort, proxies);
    }

    /** The state with these proxies ({@code proxy1} first, whose ports become {@code proxyPort} and {@code metricsPort}). */
    LocalState withProxies(List<Proxy> newProxies) {
        return new LocalState(pgBin, postgresVersion, nodes, newProxies.get(0).port(), newProxies.get(0).metricsPort(), dcs,
                cluster, zooKeeperPort, newProxies);
    }
}

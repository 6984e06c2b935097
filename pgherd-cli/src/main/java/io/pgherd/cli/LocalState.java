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
 * @param proxyPort the port of the proxy in front of the cluster
 * @param metricsPort the port of the proxy's Prometheus endpoint
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record LocalState(@JsonProperty("pg_bin") String pgBin, @JsonProperty("postgres_version") String postgresVersion,
                  @JsonProperty("nodes") List<Node> nodes, @JsonProperty("proxy_port") int proxyPort,
                  @JsonProperty("metrics_port") int metricsPort) {

    /** One node as recorded. */
    record Node(@JsonProperty("name") String name, @JsonProperty("role") String role, @JsonProperty("port") int port) {
    }

    List<NodeSpec> layoutNodes() {
        return nodes.stream().map(n -> new NodeSpec(n.name(), NodeRole.fromLabel(n.role()), n.port())).toList();
    }

    static LocalState of(String pgBin, String version, List<NodeSpec> specs, int proxyPort, int metricsPort) {
        return new LocalState(pgBin, version,
                specs.stream().map(s -> new Node(s.name(), s.role().label(), s.port())).toList(), proxyPort, metricsPort);
    }
}

package io.pgherd.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import io.pgherd.agent.api.ApiServer;
import io.pgherd.agent.api.NodeState;
import io.pgherd.common.config.HostPort;
import io.pgherd.postgres.Credentials;

/**
 * One agent's REST API (issue 5, DESIGN.md §3): Patroni's health checks, cluster reports, metrics
 * and authenticated switchover, failover and maintenance requests, answered from what the agent's
 * last cycle saw ({@link Agent#view()}) and from the DCS. {@link ApiServer} lists the endpoints and
 * their status codes. Thread-safe.
 */
public final class RestApi implements AutoCloseable {
    private final ApiServer server;

    private RestApi(ApiServer server) {
        this.server = server;
    }

    /**
     * Starts the API of a running agent as its configuration says: {@code agent.api.listen},
     * {@code agent.api.user}, the password in {@code agent.api.password_file} (default: the
     * superuser's password file in the credentials directory), and {@code agent.ha.ttl}.
     *
     * @throws UncheckedIOException when the password file cannot be read or the address cannot be bound
     */
    public static RestApi start(Agent agent) {
        AgentConfig config = agent.config();
        Path passwordFile = Optional.ofNullable(config.get(AgentConfig.API_PASSWORD_FILE)).map(Path::of)
                .orElseGet(() -> config.credentialsDirectory().resolve(Credentials.SUPERUSER_PASSWORD_FILE));
        String password;
        try {
            password = Files.readString(passwordFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("REST API of " + agent.name() + ": cannot read the password file " + passwordFile, e);
        }
        return start(agent.name(), agent::view, agent.store(), config.get(AgentConfig.API_LISTEN),
                config.get(AgentConfig.API_USER), password, config.get(AgentConfig.TTL));
    }

    /**
     * Starts the API over views of the agent's cycles.
     *
     * @param member this member's name
     * @param view the agent's last cycle (called once per request, from the server's threads)
     * @param store the cluster's keys
     * @param listen the address to listen on, and only there (port 0: any free one)
     * @param user the user of the writing endpoints
     * @param password its password (kept only as a digest, never logged)
     * @param ttl the leader key's TTL ({@code /liveness} fails when the last cycle is older)
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static RestApi start(String member, Supplier<Agent.View> view, ClusterStore store, HostPort listen, String user,
                                String password, Duration ttl) {
        return new RestApi(ApiServer.start(member, () -> stateOf(view.get()), store, listen, user, password, ttl));
    }

    /** The API's view of one agent cycle. */
    static NodeState stateOf(Agent.View view) {
        LocalNode.Status s = view.status();
        return new NodeState(Optional.ofNullable(view.cluster()).map(ClusterStore.Snapshot::state),
                new NodeState.Postgres(s.running(), s.inRecovery(), s.position(), s.replayed(), s.timeline()),
                view.decision().sentence(), view.cycleMillis(), view.dcsReachable());
    }

    /** The port it listens on. */
    public int port() {
        return server.port();
    }

    /** Stops listening. Idempotent. */
    @Override
    public void close() {
        server.close();
    }
}

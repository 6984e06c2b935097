package io.pgherd.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import io.pgherd.agent.api.ApiServer;
import io.pgherd.agent.api.NodeState;
import io.pgherd.agent.ha.ClusterState;
import io.pgherd.postgres.Credentials;

/**
 * One agent's REST API (issue 5, DESIGN.md §3): Patroni's health checks, cluster reports, metrics
 * and authenticated switchover, failover, configuration, restart, reload and reinitialize
 * requests, answered from what the agent's last cycle saw ({@link Agent#view()}), from the DCS and
 * by the agent's loop ({@link Agent#operations()}). {@link ApiServer} lists the endpoints and their
 * status codes. Thread-safe.
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
        String password = read(agent, passwordFile);
        Optional<ApiServer.ReadOnlyUser> readOnly = Optional.ofNullable(config.get(AgentConfig.API_READONLY_USER))
                .map(user -> new ApiServer.ReadOnlyUser(user,
                        read(agent, Path.of(config.get(AgentConfig.API_READONLY_PASSWORD_FILE)))));
        String version = Optional.ofNullable(RestApi.class.getPackage().getImplementationVersion()).orElse("unknown");
        return new RestApi(ApiServer.start(agent.name(), () -> stateOf(agent.view(), agent.pendingRestart(),
                        agent.rejectedParameters(), agent.dcsLastSeenMillis()), agent.store(), agent.operations(), config.get(AgentConfig.API_LISTEN),
                config.get(AgentConfig.API_USER), password, config.get(AgentConfig.TTL),
                new ApiServer.Extras(version, new ServerFactsReader(agent.local()), readOnly)));
    }

    private static String read(Agent agent, Path passwordFile) {
        try {
            return Files.readString(passwordFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("REST API of " + agent.name() + ": cannot read the password file " + passwordFile, e);
        }
    }

    /** The API's view of one agent cycle and of what its PostgreSQL needs a restart for. */
    static NodeState stateOf(Agent.View view, List<String> pendingRestart) {
        return stateOf(view, pendingRestart, new TreeMap<>(), view.dcsReachable() ? view.cycleMillis() : 0);
    }

    /**
     * As {@link #stateOf(Agent.View, List)}, with the parameters of the dynamic configuration the agent did not
     * write because PostgreSQL refuses them, and when the DCS last answered the agent.
     */
    static NodeState stateOf(Agent.View view, List<String> pendingRestart, SortedMap<String, String> rejectedParameters,
                             long dcsLastSeenMillis) {
        LocalNode.Status s = view.status();
        return new NodeState(Optional.ofNullable(view.cluster()).map(ClusterState::of),
                new NodeState.Postgres(s.running(), s.inRecovery(), s.position(), s.replayed(), s.timeline(),
                        s.running() ? pendingRestart : List.of(), rejectedParameters),
                view.decision().sentence(), view.cycleMillis(), view.dcsReachable(), dcsLastSeenMillis);
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

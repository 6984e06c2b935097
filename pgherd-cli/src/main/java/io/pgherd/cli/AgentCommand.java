package io.pgherd.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.pgherd.agent.Agent;
import io.pgherd.agent.AgentConfig;
import io.pgherd.agent.RestApi;
import io.pgherd.common.config.HostPort;
import io.pgherd.postgres.Ports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd agent}: runs one member's HA agent in the foreground until stopped. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the HA agent of one PostgreSQL node with the agent section of FILE (node.yml), in the"
                + " foreground until SIGTERM or Ctrl-C; PostgreSQL keeps running when the agent stops.",
                "Exits with status " + AgentCommand.REFUSED + " (without touching the DCS) when its data belongs to another"
                        + " cluster than the one of its name in the DCS, and with 1 when its REST API cannot listen."})
final class AgentCommand implements Callable<Integer> {
    /** Exit status of an agent that refused to join (EX_CONFIG of sysexits.h): starting it again cannot help. */
    static final int REFUSED = 78;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "node.yml")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        HaCommand.dcsClientsAtWarn();
        Agent agent = new Agent(AgentConfig.load(config));
        // The API listens before the loop runs: a taken port ends the agent before it does anything.
        RestApi api;
        try {
            api = RestApi.start(agent);
        } catch (UncheckedIOException e) {
            agent.close();
            HostPort listen = agent.config().get(AgentConfig.API_LISTEN);
            throw new CommandFailure("the agent of " + agent.name() + " cannot listen on " + listen + " for its REST API"
                    + (Ports.isFree(listen.port()) ? ": " + e.getMessage()
                    : ": port " + listen.port() + " is in use by " + Ports.holder(listen.port())), e);
        }
        agent.start();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                api.close();
                agent.close();
            }
        };
        agent.refusal().thenRun(() -> exit.complete(REFUSED));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close.run();
            exit.complete(0);
        }, "pgherd-agent-shutdown"));
        int status = exit.join();
        if (status == REFUSED) {
            close.run();
            System.err.println("pgherd: the agent of " + agent.name() + " stopped: " + agent.refusal().join());
        }
        return status;
    }
}

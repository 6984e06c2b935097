package io.pgherd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.pgherd.agent.Agent;
import io.pgherd.agent.AgentConfig;
import io.pgherd.agent.RestApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd agent}: runs one member's HA agent in the foreground until stopped. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the HA agent of one PostgreSQL node with the agent section of FILE (node.yml), in the"
                + " foreground until SIGTERM or Ctrl-C; PostgreSQL keeps running when the agent stops.")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "node.yml")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        HaCommand.dcsClientsAtWarn();
        Agent agent = new Agent(AgentConfig.load(config)).start();
        RestApi api = RestApi.start(agent);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            agent.close();
            stopped.countDown();
        }, "pgherd-agent-shutdown"));
        stopped.await();
        return 0;
    }
}

package io.pgherd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.pgherd.proxy.ProxyServer;
import io.pgherd.proxy.config.ProxyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd proxy}: runs the proxy in the foreground until stopped. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Run the proxy (pooling, admin console, metrics) with the proxy section of FILE, in the"
                + " foreground until SIGTERM or Ctrl-C.")
final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "pgherd.yml")
    Path config;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Event loops (default: one per core).")
    int threads;

    @Override
    public Integer call() throws InterruptedException {
        ProxyServer server = ProxyServer.start(ProxyConfig.load(config), threads);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pgherd-proxy-shutdown"));
        stopped.await();
        return 0;
    }
}

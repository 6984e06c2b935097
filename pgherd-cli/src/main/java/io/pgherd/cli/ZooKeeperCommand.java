package io.pgherd.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.pgherd.dcs.EmbeddedZooKeeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgherd zookeeper}: the embedded single-server ZooKeeper of a local cluster, in the foreground until SIGTERM. */
@Command(name = "zookeeper", mixinStandardHelpOptions = true, hidden = true,
        description = "Run the embedded ZooKeeper a local cluster's agents use (started by 'pgherd up'), in the foreground"
                + " until SIGTERM or Ctrl-C. Listens on 127.0.0.1 only.")
final class ZooKeeperCommand implements Callable<Integer> {
    /** Sessions are checked for expiry every tick: a leader key's TTL is kept to within half a second. */
    static final Duration TICK = Duration.ofMillis(500);

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where its snapshots and transaction log go.")
    Path dir;

    @Option(names = "--port", required = true, paramLabel = "P", description = "Port on 127.0.0.1.")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        HaCommand.dcsClientsAtWarn();
        EmbeddedZooKeeper zooKeeper = EmbeddedZooKeeper.start(dir, port, TICK);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            zooKeeper.close();
            stopped.countDown();
        }, "pgherd-zookeeper-shutdown"));
        stopped.await();
        return 0;
    }
}

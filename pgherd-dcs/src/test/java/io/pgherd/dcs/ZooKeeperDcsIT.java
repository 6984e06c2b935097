package io.pgherd.dcs;

import java.nio.file.Path;
import java.time.Duration;

/** The {@link Dcs} contract on a real ZooKeeper server, the embedded one local mode runs. */
class ZooKeeperDcsIT extends DcsContractTest {

    /** Short, so that sessions of a few seconds are allowed and expire on time. */
    private static final Duration TICK = Duration.ofMillis(200);

    private EmbeddedZooKeeper zooKeeper;

    @Override
    void startServer(Path directory) {
        zooKeeper = EmbeddedZooKeeper.start(directory, 0, TICK);
    }

    @Override
    void stopServer() {
        if (zooKeeper != null) {
            zooKeeper.stop();
        }
    }

    @Override
    void restartServer() {
        zooKeeper.start();
    }

    @Override
    DcsAddress serverAddress() {
        return zooKeeper.address();
    }

    @Override
    String serverLog() {
        return "(embedded ZooKeeper logs to the test output above)";
    }
}

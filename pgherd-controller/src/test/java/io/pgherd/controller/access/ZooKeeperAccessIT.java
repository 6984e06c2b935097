package io.pgherd.controller.access;

import java.nio.file.Path;
import java.time.Duration;

import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.EmbeddedZooKeeper;

/** Users, tokens and the audit log on a real ZooKeeper server (the embedded one local mode runs). */
class ZooKeeperAccessIT extends AccessContractTest {
    private EmbeddedZooKeeper zooKeeper;

    @Override
    void startServer(Path directory) {
        zooKeeper = EmbeddedZooKeeper.start(directory, 0, Duration.ofMillis(200));
    }

    @Override
    void stopServer() {
        if (zooKeeper != null) {
            zooKeeper.stop();
        }
    }

    @Override
    DcsAddress serverAddress() {
        return zooKeeper.address();
    }
}

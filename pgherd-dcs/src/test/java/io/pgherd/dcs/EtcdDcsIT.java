package io.pgherd.dcs;

import java.nio.file.Path;

import io.pgherd.testkit.EtcdServer;

/** The {@link Dcs} contract on a real etcd server. */
class EtcdDcsIT extends DcsContractTest {

    private EtcdServer etcd;

    @Override
    void startServer(Path directory) {
        etcd = EtcdServer.start(directory);
    }

    @Override
    void stopServer() {
        if (etcd != null) {
            etcd.kill();
        }
    }

    @Override
    void restartServer() {
        etcd.start();
    }

    @Override
    DcsAddress serverAddress() {
        return DcsAddress.parse(etcd.url());
    }

    @Override
    String serverLog() {
        return etcd == null ? "(etcd not started)" : etcd.logTail(60);
    }
}

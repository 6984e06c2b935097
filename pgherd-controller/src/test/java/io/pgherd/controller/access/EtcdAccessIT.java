package io.pgherd.controller.access;

import java.nio.file.Path;

import io.pgherd.dcs.DcsAddress;
import io.pgherd.testkit.EtcdServer;

/** Users, tokens and the audit log on a real etcd server. */
class EtcdAccessIT extends AccessContractTest {
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
    DcsAddress serverAddress() {
        return DcsAddress.parse(etcd.url());
    }
}

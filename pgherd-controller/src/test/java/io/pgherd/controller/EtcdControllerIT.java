package io.pgherd.controller;

import java.nio.file.Path;

import io.pgherd.dcs.DcsAddress;
import io.pgherd.testkit.EtcdServer;

/** Controller election and task takeover on a real etcd server. */
class EtcdControllerIT extends ControllerTakeoverTest {

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

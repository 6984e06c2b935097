package io.pgherd.dcs;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.etcd.jetcd.Watch.Listener;
import io.etcd.jetcd.Watch.Watcher;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;

/**
 * A {@link Watch} on an etcd prefix. jetcd resumes a broken watch stream from the last revision
 * it delivered; the break is still reported as {@link WatchEvent.Reset} because a compacted
 * history can make etcd skip events.
 */
final class EtcdWatch implements Watch {

    private static final Logger log = LoggerFactory.getLogger(EtcdWatch.class);

    private final EtcdDcs dcs;
    private final String prefix;
    private final Consumer<WatchEvent> listener;
    private final Executor events;
    private volatile boolean closed;
    private volatile Watcher watcher;

    EtcdWatch(EtcdDcs dcs, String prefix, Consumer<WatchEvent> listener, Executor events) {
        this.dcs = dcs;
        this.prefix = prefix;
        this.listener = listener;
        this.events = events;
    }

    void start(io.etcd.jetcd.Watch client, long fromRevision) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        watcher = client.watch(EtcdDcs.bytes(prefix), option, new Listener() {
            @Override
            public void onNext(WatchResponse response) {
                response.getEvents().forEach(event -> {
                    switch (event.getEventType()) {
                        case PUT -> deliver(new WatchEvent.Put(EtcdDcs.entry(event.getKeyValue())));
                        case DELETE -> deliver(new WatchEvent.Delete(event.getKeyValue().getKey().toString(UTF_8)));
                        default -> log.debug("{}: watch {}: ignoring event of type {}", dcs.store(), prefix, event.getEventType());
                    }
                });
            }

            @Override
            public void onError(Throwable error) {
                deliver(new WatchEvent.Reset("etcd watch broke: " + error.getMessage()));
            }

            @Override
            public void onCompleted() {
                deliver(new WatchEvent.Ended("etcd ended the watch"));
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        Watcher current = watcher;
        if (current != null) {
            current.close();
        }
        dcs.forget(this);
    }

    private void deliver(WatchEvent event) {
        if (closed) {
            return;
        }
        try {
            events.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.error("{}: watch {}: listener failed on {}", dcs.store(), prefix, event, e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("{}: watch {}: event dropped, the Dcs is closed", dcs.store(), prefix);
        }
    }
}

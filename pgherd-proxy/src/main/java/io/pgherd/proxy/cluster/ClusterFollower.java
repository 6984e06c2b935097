package io.pgherd.proxy.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgherd.dcs.ClusterKeys;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Entry;
import io.pgherd.dcs.Watch;
import io.pgherd.proxy.Proxy;
import io.pgherd.proxy.ProxyConfig;

/**
 * Makes a proxy follow an HA cluster ({@code proxy.cluster.dcs}): a DCS watch on the cluster's keys
 * wakes it on every change, it reads the leader key and the member records, and when the nodes
 * they describe differ from the proxy's ({@link ClusterNodes#follow}) it swaps them in, so writes go
 * to the new leader within milliseconds of a failover or switchover. A read every few seconds covers
 * what a watch that was reconnecting may have missed. One thread of its own.
 */
public final class ClusterFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterFollower.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RECHECK_SECONDS = 5;

    private final Proxy proxy;
    private final Dcs dcs;
    private final ClusterKeys keys;
    private final ScheduledExecutorService thread;
    private Watch watch;
    private String lastProblem = "";

    private ClusterFollower(Proxy proxy, Dcs dcs, ClusterKeys keys) {
        this.proxy = proxy;
        this.dcs = dcs;
        this.keys = keys;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgherd-cluster");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the cluster of {@code config} (which must name a DCS). */
    public static ClusterFollower start(Proxy proxy, ProxyConfig config) {
        DcsAddress address = DcsAddress.parse(config.get(ProxyConfig.CLUSTER_DCS));
        Dcs dcs = Dcs.connect(address, config.get(ProxyConfig.HEALTH_TIMEOUT));
        ClusterFollower follower = new ClusterFollower(proxy, dcs, new ClusterKeys(config.get(ProxyConfig.CLUSTER_NAME)));
        follower.thread.scheduleWithFixedDelay(follower::refresh, 0, RECHECK_SECONDS, TimeUnit.SECONDS);
        log.info("following cluster {} in {}", config.get(ProxyConfig.CLUSTER_NAME), address);
        return follower;
    }

    private void refresh() {
        try {
            if (watch == null) {
                watch = dcs.watch(keys.prefix(), event -> thread.execute(this::refresh));
            }
            Optional<String> leader = Optional.empty();
            Map<String, ClusterNodes.MemberRecord> members = new HashMap<>();
            for (Entry e : dcs.list(keys.prefix())) {
                if (e.key().equals(keys.leader())) {
                    leader = Optional.of(e.value());
                } else if (e.key().startsWith(keys.members())) {
                    ClusterNodes.MemberRecord.of(tree(e.value())).ifPresent(m -> members.put(m.name(), m));
                }
            }
            List<ProxyConfig.Node> current = proxy.config().get(ProxyConfig.NODES);
            Optional<List<ProxyConfig.Node>> next = ClusterNodes.follow(leader, members, current);
            if (next.isPresent()) {
                log.info("the cluster changed: now {}", ClusterNodes.describe(next.get()));
                proxy.followNodes(next.get());
            }
            lastProblem = "";
        } catch (RuntimeException e) {
            String problem = e.getMessage() == null ? e.toString() : e.getMessage();
            // DcsException included: the DCS did not answer; try again at the next change or recheck.
            if (!problem.equals(lastProblem)) {
                log.warn("could not read the cluster from the DCS (the nodes stay as they are): {}", problem);
                lastProblem = problem;
            }
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watch != null) {
            watch.close();
        }
        dcs.close();
    }
}

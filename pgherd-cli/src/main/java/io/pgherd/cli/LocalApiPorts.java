package io.pgherd.cli;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ports of the cluster API of a local cluster's controllers ({@code controller.api.listen} on loopback, which
 * {@code pgherd up} writes and the API commands read back, {@link ApiTarget}): the one a controller's configuration
 * records, else the first free one from {@value #FIRST} on, past every other claimed.
 */
final class LocalApiPorts {
    /** The first controller's API port by default. */
    static final int FIRST = 8020;

    private LocalApiPorts() {
    }

    /** The API port {@code name}'s configuration records; 0 when it serves none (or has no configuration yet). */
    static int recorded(LocalControllers controllers, String name) {
        return ApiTarget.url(controllers.configFile(name)).map(URI::getPort).orElse(0);
    }

    /**
     * The API port of each of {@code c1} … {@code cCount} (and of any recorded beyond): recorded ports are kept and
     * marked used in {@code plan} (the controller may be running on it), the others claimed in it. Check {@code plan}
     * before writing them.
     */
    static Map<String, Integer> plan(LocalControllers controllers, int count, PortPlan plan) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        int last = Math.max(count, controllers.names().size());
        for (int k = 1; k <= last; k++) {
            int port = recorded(controllers, LocalControllers.name(k));
            if (port > 0) {
                plan.recorded(port, "the API of controller " + LocalControllers.name(k));
                ports.put(LocalControllers.name(k), port);
            }
        }
        for (int k = 1; k <= last; k++) {
            String name = LocalControllers.name(k);
            if (!ports.containsKey(name)) {
                ports.put(name, plan.claim(FIRST, false, "", "the API of controller " + name));
            }
        }
        return ports;
    }
}

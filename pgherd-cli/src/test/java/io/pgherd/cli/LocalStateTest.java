package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** What {@code pgherd up} records in {@code pgherd.json}, read back, also from a file of an earlier version. */
class LocalStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFileFromBeforeSeveralProxiesHasItsOneProxyAsProxy1() throws Exception {
        LocalState state = JSON.readValue("{\"pg_bin\": \"/usr/lib/postgresql/15/bin\", \"postgres_version\": \"15.18\","
                + " \"nodes\": [], \"proxy_port\": 6432, \"metrics_port\": 9930, \"dcs\": \"zookeeper://127.0.0.1:2181\","
                + " \"cluster\": \"pgherd\", \"zookeeper_port\": 2181}", LocalState.class);

        assertThat(state.proxies()).containsExactly(new LocalState.Proxy("proxy1", 6432, 9930));
    }

    @Test
    void everyProxyIsWrittenAndReadBackWithTheFirstOnesPortsAtTheTop() throws Exception {
        LocalState state = new LocalState("/bin", "15.18", List.of(), 0, 0, "zookeeper://127.0.0.1:2181", "pgherd", 2181,
                List.of()).withProxies(List.of(new LocalState.Proxy("proxy1", 6432, 9930),
                new LocalState.Proxy("proxy2", 6433, 9931)));

        LocalState read = JSON.readValue(JSON.writeValueAsString(state), LocalState.class);

        assertThat(read).isEqualTo(state);
        assertThat(read.proxyPort()).isEqualTo(6432);
        assertThat(read.metricsPort()).isEqualTo(9930);
        assertThat(read.proxies()).extracting(LocalState.Proxy::name).containsExactly("proxy1", "proxy2");
    }
}

package io.pgherd.proxy.pooling;

import static io.pgherd.proxy.pooling.Sql.execute;
import static io.pgherd.proxy.pooling.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

import io.pgherd.postgres.LocalCluster;
import io.pgherd.proxy.ProxyFixture;
import io.pgherd.testkit.PostgresCluster;

/** The Prometheus endpoint: gauges and counters that follow what clients do. */
@PostgresCluster(standby = false, replicas = 0)
class MetricsIT {
    private static final String IDLE_SERVERS = "pgherd_servers{node=\"node1\",database=\"postgres\",user=\"postgres\",state=\"idle\"}";
    static ProxyFixture proxy;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(LocalCluster cluster) {
        proxy = ProxyFixture.start(cluster, "  pool:\n    pool_size: 2\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().metricsPort() + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of /metrics: series (name and labels) to value; comments are checked to be well formed. */
    private static Map<String, Double> scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#")) {
                assertThat(line).matches("# (HELP|TYPE) pgherd_[a-z_]+ .+");
                continue;
            }
            int space = line.lastIndexOf(' ');
            assertThat(space).as("sample line: " + line).isPositive();
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    @Test
    void metricsFollowClientsQueriesServersAndErrors() throws Exception {
        try (Connection c = proxy.connect("postgres")) {
            assertThat(value(c, "select 1")).isEqualTo("1");
            Map<String, Double> before = scrape();
            assertThat(before.get("pgherd_clients")).isGreaterThanOrEqualTo(1.0);
            assertThat(before).containsKey(IDLE_SERVERS);
            assertThat(before.get(IDLE_SERVERS)).isGreaterThanOrEqualTo(1.0);
            double missingTableErrors = before.getOrDefault("pgherd_errors_total{sqlstate=\"42P01\"}", 0.0);

            for (int i = 0; i < 5; i++) {
                value(c, "select " + i);
            }
            assertThatThrownBy(() -> execute(c, "select * from no_such_table")).isInstanceOf(PSQLException.class);

            Map<String, Double> after = scrape();
            assertThat(after.get("pgherd_queries_total")).isGreaterThanOrEqualTo(before.get("pgherd_queries_total") + 6);
            assertThat(after.get("pgherd_errors_total{sqlstate=\"42P01\"}")).isEqualTo(missingTableErrors + 1);
            assertThat(after.get("pgherd_client_bytes_sent_total")).isGreaterThan(before.get("pgherd_client_bytes_sent_total"));

            try (Connection second = proxy.connect("postgres")) {
                value(second, "select 1");
                assertThat(scrape().get("pgherd_clients")).isEqualTo(after.get("pgherd_clients") + 1);
            }
        }
    }

    @Test
    void anyOtherPathIsNotFound() throws Exception {
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    }
}

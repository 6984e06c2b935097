package io.pgherd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the API commands send requests and which token they send: options, then the environment, then the local cluster. */
class ApiTargetTest {
    private static final Optional<URI> API = Optional.of(URI.create("http://10.0.0.5:8020"));

    @TempDir
    Path dir;

    @Test
    void theTokenOptionWinsThenTheEnvironmentThenTheLocalClustersFile() throws Exception {
        ClusterDirectory local = localCluster();
        Files.writeString(local.path().resolve(LocalAdminToken.FILE), "pgh_file\n");

        assertThat(ApiTarget.resolve(API, Optional.of("pgh_option"), Optional.of("pgh_env"), local))
                .isEqualTo(new ApiTarget(List.of(API.get()), "pgh_option", "--token"));
        assertThat(ApiTarget.resolve(API, Optional.empty(), Optional.of("pgh_env"), local))
                .isEqualTo(new ApiTarget(List.of(API.get()), "pgh_env", "PGHERD_TOKEN"));
        assertThat(ApiTarget.resolve(API, Optional.of(" "), Optional.of(""), local))
                .isEqualTo(new ApiTarget(List.of(API.get()), "pgh_file", local.path().resolve("admin.token").toString()));
    }

    @Test
    void withoutAnyTokenTheFailureSaysWhereTokensComeFrom() {
        ClusterDirectory none = new ClusterDirectory(dir.resolve("none"));
        assertThatThrownBy(() -> ApiTarget.resolve(API, Optional.empty(), Optional.empty(), none))
                .isInstanceOf(CommandFailure.class)
                .hasMessage("no API token: give --token TOKEN or set PGHERD_TOKEN (an admin makes one with 'pgherd token"
                        + " create --user NAME'), or run 'pgherd up' (it writes " + none.path().resolve("admin.token") + ")");
    }

    @Test
    void withoutApiTheLocalControllersThatServeOneAreUsedInOrder() throws Exception {
        ClusterDirectory local = localCluster();
        Path controllers = Files.createDirectories(local.path().resolve("controllers"));
        Files.writeString(controllers.resolve("c1.yml"), controller("c1", "    listen: 127.0.0.1:8020\n"));
        Files.writeString(controllers.resolve("c2.yml"), controller("c2", ""));
        Files.writeString(controllers.resolve("c3.yml"), controller("c3", "    listen: 0.0.0.0:8022\n" + tls()));
        Files.writeString(controllers.resolve("c4.yml"), controller("c4", "    listen: localhost:8023\n"));

        assertThat(ApiTarget.resolve(Optional.empty(), Optional.of("t"), Optional.empty(), local).urls())
                .as("c2 serves no API; c3 listens on every address, so on loopback too")
                .containsExactly(URI.create("http://127.0.0.1:8020"), URI.create("https://127.0.0.1:8022"),
                        URI.create("http://localhost:8023"));
    }

    @Test
    void aControllerWithTlsIsCalledOverHttps() throws Exception {
        Path file = dir.resolve("c1.yml");
        Files.writeString(file, controller("c1", "    listen: 127.0.0.1:8443\n" + tls()));
        assertThat(ApiTarget.url(file)).contains(URI.create("https://127.0.0.1:8443"));
        assertThat(ApiTarget.url(dir.resolve("missing.yml"))).isEmpty();
    }

    @Test
    void withNoApiAnywhereTheFailureSaysHowToGetOne() {
        ClusterDirectory none = new ClusterDirectory(dir.resolve("none"));
        assertThatThrownBy(() -> ApiTarget.resolve(Optional.empty(), Optional.of("t"), Optional.empty(), none))
                .isInstanceOf(CommandFailure.class)
                .hasMessage("no cluster API to call: give --api URL, or start a controller with controller.api.listen set"
                        + " ('pgherd controller --config FILE'), or 'pgherd up' for a local cluster (none with an API in "
                        + none.path() + ")");
    }

    @Test
    void theTargetNeverShowsItsToken() {
        assertThat(new ApiTarget(List.of(API.get()), "pgh_secret", "--token").toString()).doesNotContain("pgh_secret");
    }

    private ClusterDirectory localCluster() {
        ClusterDirectory local = new ClusterDirectory(dir.resolve("cluster"));
        local.write(new LocalState("/usr/lib/postgresql/15/bin", "15", List.of(new LocalState.Node("node1", "primary", 5432,
                8008)), 6432, 9930, "zookeeper://127.0.0.1:2181", "pgherd", 2181, null));
        return local;
    }

    /** The TLS keys of a controller's API section, naming files that exist (the configuration checks they can be read). */
    private String tls() throws Exception {
        Path certificate = Files.writeString(dir.resolve("api.crt"), "certificate");
        Path key = Files.writeString(dir.resolve("api.key"), "key");
        return "    tls_certificate: " + certificate + "\n    tls_key: " + key + "\n";
    }

    private static String controller(String name, String api) {
        return "controller:\n  cluster: pgherd\n  name: " + name + "\n  dcs: zookeeper://127.0.0.1:2181\n"
                + (api.isEmpty() ? "" : "  api:\n" + api);
    }
}

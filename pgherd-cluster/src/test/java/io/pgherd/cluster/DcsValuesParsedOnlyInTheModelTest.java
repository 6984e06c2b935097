package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No DCS value is read or parsed outside this module: a scan of {@code src/main} of every module that
 * reaches the DCS (its pom names pgherd-dcs, pgherd-cluster or pgherd-agent). Outside the model no code
 * may take a raw value from the store ({@code Entry}, {@code dcs.get}, {@code dcs.list}), and JSON may be
 * parsed ({@code readTree}, {@code readValue}, {@code treeToValue}, {@code convertValue},
 * {@code path("...")}) only in the files listed in {@link #NOT_DCS}, each with what it parses instead.
 * A source scan rather than ArchUnit: no new dependency, and it sees {@code path("…")}, which bytecode
 * rules cannot tell from other calls. Set {@code -Dpgherd.root=DIR} to scan another checkout.
 */
class DcsValuesParsedOnlyInTheModelTest {
    /** Files outside the model that parse JSON which is not a DCS value, and what it is. */
    private static final Map<String, String> NOT_DCS = Map.ofEntries(
            Map.entry("pgherd-agent/src/main/java/io/pgherd/agent/api/ClusterRequests.java", "REST request bodies"),
            Map.entry("pgherd-agent/src/main/java/io/pgherd/agent/api/MemberRequests.java", "REST request bodies"),
            Map.entry("pgherd-cli/src/main/java/io/pgherd/cli/AccessTables.java", "the cluster API's users, tokens and audit entries"),
            Map.entry("pgherd-cli/src/main/java/io/pgherd/cli/ApiClient.java", "the cluster API's answers (problem details)"),
            Map.entry("pgherd-cli/src/main/java/io/pgherd/cli/ClusterDirectory.java", "the local cluster's state file"),
            Map.entry("pgherd-cli/src/main/java/io/pgherd/cli/ConfigDocuments.java", "YAML and JSON the user types or edits"),
            Map.entry("pgherd-cli/src/main/java/io/pgherd/cli/LocalProvisioner.java", "the members it made (DIR/provisioned.json)"),
            Map.entry("pgherd-controller/src/main/java/io/pgherd/controller/api/Call.java", "the cluster API's request bodies"),
            Map.entry("pgherd-controller/src/main/java/io/pgherd/controller/api/OpenApi.java", "the OpenAPI document in the jar"),
            Map.entry("pgherd-proxy/src/main/java/io/pgherd/proxy/config/ProxyConfig.java", "the proxy's configuration file (pgherd.yml)"));
    private static final Pattern RAW_VALUE = Pattern.compile(
            "import io\\.pgherd\\.dcs\\.Entry;|\\.entry\\(\\)\\.value\\(\\)|\\bdcs(\\(\\))?\\.(get|list)\\(");
    private static final Pattern PARSING = Pattern.compile(
            "\\.(readTree|readValue|treeToValue|convertValue)\\(|\\.path\\(\"");
    private static final Pattern REACHES_DCS = Pattern.compile("<artifactId>pgherd-(dcs|cluster|agent)</artifactId>");

    @Test
    void noCodeOutsideTheModelReadsOrParsesADcsValue() throws IOException {
        Path root = Path.of(System.getProperty("pgherd.root", "..")).toAbsolutePath().normalize();
        List<String> found = new ArrayList<>();
        List<Path> modules = modules(root);
        assertThat(modules).as("modules reaching the DCS under " + root).isNotEmpty();
        for (Path module : modules) {
            try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String relative = root.relativize(file).toString().replace('\\', '/');
                    String text = Files.readString(file);
                    report(found, relative, text, RAW_VALUE, "takes a raw value from the DCS");
                    if (!NOT_DCS.containsKey(relative)) {
                        report(found, relative, text, PARSING, "parses JSON");
                    }
                }
            }
        }
        assertThat(found).as("DCS values are read and parsed only in pgherd-cluster (io.pgherd.cluster)").isEmpty();
    }

    @Test
    void everyListedExceptionStillExists() {
        Path root = Path.of(System.getProperty("pgherd.root", "..")).toAbsolutePath().normalize();
        assertThat(NOT_DCS.keySet()).allSatisfy(f -> assertThat(root.resolve(f)).exists());
    }

    private static List<Path> modules(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            List<Path> out = new ArrayList<>();
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("pgherd-")).sorted().toList()) {
                String name = dir.getFileName().toString();
                Path pom = dir.resolve("pom.xml");
                if (!name.equals("pgherd-cluster") && !name.equals("pgherd-dcs") && Files.exists(pom)
                        && Files.isDirectory(dir.resolve("src/main/java")) && REACHES_DCS.matcher(Files.readString(pom)).find()) {
                    out.add(dir);
                }
            }
            return out;
        }
    }

    private static void report(List<String> found, String file, String text, Pattern pattern, String what) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            found.add(file + ":" + line + " " + what + ": " + m.group());
        }
    }
}

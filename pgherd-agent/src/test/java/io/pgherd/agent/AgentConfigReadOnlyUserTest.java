package io.pgherd.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.common.config.ConfigException;

/** {@code agent.api.readonly_user} and {@code agent.api.readonly_password_file}: both or neither, every problem listed. */
class AgentConfigReadOnlyUserTest {
    private static String yaml(String api) {
        return "agent:\n  cluster: c\n  name: n1\n  dcs: zookeeper://127.0.0.1:2181\n  postgres:\n    dir: /tmp/n1\n"
                + "    credentials_dir: /tmp\n  api:\n" + api;
    }

    @Test
    void aReadOnlyUserWithItsPasswordFileIsTaken(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("monitor.password"), "watch\n");

        AgentConfig config = AgentConfig.read(yaml("    readonly_user: monitor\n    readonly_password_file: " + file + "\n"),
                "n1.yml");

        assertThat(config.get(AgentConfig.API_READONLY_USER)).isEqualTo("monitor");
        assertThat(config.get(AgentConfig.API_READONLY_PASSWORD_FILE)).isEqualTo(file.toString());
        assertThat(AgentConfig.read(yaml("    listen: 127.0.0.1:8008\n"), "n1.yml").get(AgentConfig.API_READONLY_USER))
                .as("none by default").isNull();
    }

    @Test
    void everyProblemOfTheReadOnlyUserIsListed(@TempDir Path dir) {
        ConfigException e = catchThrowableOfType(() -> AgentConfig.read(yaml("    readonly_user: pgherd\n"
                + "    readonly_password_file: " + dir.resolve("missing") + "\n"), "n1.yml"), ConfigException.class);
        assertThat(e.problems()).extracting(p -> p.path() + ": " + p.message()).containsExactlyInAnyOrder(
                "agent.api.readonly_user: must be set, hold no ':' and differ from agent.api.user (got 'pgherd')",
                "agent.api.readonly_password_file: cannot read file " + dir.resolve("missing"));

        ConfigException alone = catchThrowableOfType(() -> AgentConfig.read(yaml("    readonly_user: monitor\n"), "n1.yml"),
                ConfigException.class);
        assertThat(alone.problems()).extracting(p -> p.path() + ": " + p.message()).containsExactly(
                "agent.api.readonly_password_file: must be set with agent.api.readonly_user");
    }
}

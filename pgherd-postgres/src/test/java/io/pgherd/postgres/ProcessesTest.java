package io.pgherd.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ProcessesTest {
    @Test
    void aLiveProcessRunsAndAnExitedOneDoesNot() throws Exception {
        assertThat(Processes.isRunning(ProcessHandle.current().pid())).isTrue();
        Process child = new ProcessBuilder("sleep", "60").start();
        assertThat(Processes.isRunning(child.pid())).isTrue();
        child.destroy();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Processes.isRunning(child.pid())).isFalse();
    }

    @Test
    void anExitedButUnreapedChildDoesNotRun() throws Exception {
        // The shell's child exits a moment after the shell has become a 'sleep' that never waits for it, so it stays a
        // zombie. (A child that exited before the exec could be reaped by the shell first, and there was no zombie.)
        Process shell = new ProcessBuilder("sh", "-c", "sleep 0.3 & echo $!; exec sleep 30").start();
        long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(shell.getInputStream()))
                .readLine().strip());
        try {
            Deadline.await(java.time.Duration.ofSeconds(10),
                    () -> ProcessHandle.of(zombie).isPresent() && !Processes.isRunning(zombie));
            assertThat(ProcessHandle.of(zombie).map(ProcessHandle::isAlive)).as("kernel still lists it").contains(true);
            assertThat(Processes.isRunning(zombie)).isFalse();
        } finally {
            shell.destroyForcibly();
        }
    }
}

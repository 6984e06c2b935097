package io.pgherd.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about OS processes by PID. */
public final class Processes {
    private Processes() {
    }

    /**
     * Whether process {@code pid} exists and has not exited. A zombie (exited, not yet reaped by its
     * parent, which for a daemonized postmaster is PID 1) has exited and does not count.
     */
    public static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The state letter follows the parenthesised command name, which may itself contain ") ".
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}

package io.pgherd.proxy.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import io.pgherd.proxy.backend.Pool;

/** PAUSE (wait until every server connection is back in its pool; new work waits) and RESUME. */
final class PauseResume {
    private PauseResume() {
    }

    static final class Pause implements AdminCommand {
        @Override
        public String pattern() {
            return "pause";
        }

        @Override
        public String help() {
            return "PAUSE: let running transactions finish, hold new ones until RESUME";
        }

        @Override
        public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
            proxy.pause();
            CompletableFuture<AdminResult> done = new CompletableFuture<>();
            poll(proxy, done);
            return done;
        }

        private static void poll(AdminContext proxy, CompletableFuture<AdminResult> done) {
            boolean busy = proxy.pools().stream().map(Pool::snapshot).anyMatch(s -> s.active() > 0);
            if (!busy || !proxy.paused()) {
                done.complete(AdminResult.tag("PAUSE"));
                return;
            }
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> poll(proxy, done));
        }
    }

    static final class Resume implements AdminCommand {
        @Override
        public String pattern() {
            return "resume";
        }

        @Override
        public String help() {
            return "RESUME: hand out server connections again";
        }

        @Override
        public CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match) {
            proxy.resume();
            return CompletableFuture.completedFuture(AdminResult.tag("RESUME"));
        }
    }
}

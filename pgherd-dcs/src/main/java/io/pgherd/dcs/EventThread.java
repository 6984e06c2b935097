package io.pgherd.dcs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The one thread per {@link Dcs} on which watch events and session notifications run, in order. */
final class EventThread {

    private EventThread() {
    }

    static ExecutorService start(String name) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Lets queued events run for a moment, then stops the thread. */
    static void stop(ExecutorService events) {
        events.shutdown();
        try {
            if (!events.awaitTermination(1, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            events.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

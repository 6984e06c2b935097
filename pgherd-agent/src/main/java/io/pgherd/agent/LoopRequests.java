package io.pgherd.agent;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.pgherd.agent.api.Operations.Outcome;

/**
 * Requests (from the REST API) that the agent's loop carries out between two cycles, so that no
 * operation on PostgreSQL ever runs beside a cycle's. The caller waits for the outcome up to its
 * time limit; a request the loop has not taken by then is withdrawn and never runs, one it has
 * taken goes on and the caller is told so. Thread-safe.
 */
final class LoopRequests {
    private record Request(String what, Supplier<Outcome> work, CompletableFuture<Outcome> result, AtomicBoolean taken) {
    }

    private final Queue<Request> queue = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /**
     * Hands {@code work} to the loop, wakes it with {@code wakeLoop}, and waits up to {@code timeout}.
     *
     * @param what the request's name for messages ({@code restart})
     * @return what the work returned; refused when it threw, when the loop did not take it in time
     *         (nothing was done) or did not finish it in time (it goes on)
     */
    Outcome submit(String what, Supplier<Outcome> work, Duration timeout, Runnable wakeLoop) {
        if (closed) {
            return Outcome.refused("the agent is stopping; nothing was done");
        }
        Request request = new Request(what, work, new CompletableFuture<>(), new AtomicBoolean());
        queue.add(request);
        wakeLoop.run();
        try {
            return request.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (request.taken().compareAndSet(false, true)) {
                queue.remove(request);
                return Outcome.refused("the agent's loop did not take the " + what + " request within " + timeout.toSeconds()
                        + " s (it is busy with a long action); nothing was done");
            }
            return Outcome.refused(what + " still running after " + timeout.toSeconds() + " s; it goes on (the member's"
                    + " state shows when it is done)");
        } catch (ExecutionException e) {
            return Outcome.refused(what + " failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.taken().compareAndSet(false, true);
            return Outcome.refused("interrupted while waiting for the " + what);
        }
    }

    /** Runs every request waiting, in order; called by the loop thread only. */
    void runPending() {
        Request request;
        while ((request = queue.poll()) != null) {
            if (!request.taken().compareAndSet(false, true)) {
                continue;
            }
            try {
                request.result().complete(request.work().get());
            } catch (RuntimeException e) {
                request.result().complete(Outcome.refused(request.what() + " failed: " + e.getMessage()));
            }
        }
    }

    /** Refuses what is still waiting and every later request (the agent stops). */
    void close() {
        closed = true;
        Request request;
        while ((request = queue.poll()) != null) {
            if (request.taken().compareAndSet(false, true)) {
                request.result().complete(Outcome.refused("the agent stopped before it took the " + request.what()
                        + " request; nothing was done"));
            }
        }
    }
}

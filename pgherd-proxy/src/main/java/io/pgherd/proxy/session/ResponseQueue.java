package io.pgherd.proxy.session;

import java.util.ArrayDeque;
import java.util.function.Consumer;

import io.pgherd.protocol.Frame;

/**
 * Matches a server's answers to what was sent, so that answers to messages the proxy slipped in are
 * dropped, made-up answers are delivered in their place, and the session knows when the server has
 * answered everything. Follows PostgreSQL's rule that after an error in the extended protocol the
 * server skips every message up to the next Sync: those already queued and those added later,
 * while no Sync has been added yet, are failed at once and owe nothing. An entry ends with its
 * {@code onDone} hook only when no ErrorResponse came for it; a Query that met an error ends with
 * {@code onFailed} at its ReadyForQuery. Used only on the session's event loop; frames passed in are
 * owned by the queue (forwarded through {@code toClient} or released).
 */
final class ResponseQueue {
    private final ArrayDeque<Expected> entries = new ArrayDeque<>();
    private final Consumer<Frame> toClient;
    /** The server skips everything up to a Sync not yet added: what is added until then gets no answer. */
    private boolean skipping;
    /** The head entry got an ErrorResponse (a Query or Sync, which end only at ReadyForQuery). */
    private boolean headFailed;

    /** @param toClient writes a frame to the client (takes ownership) */
    ResponseQueue(Consumer<Frame> toClient) {
        this.toClient = toClient;
    }

    /**
     * Adds an entry; a made-up answer with nothing before it is delivered at once. While the server
     * skips to the next Sync, anything but a Sync is failed at once (a made-up answer is dropped, as
     * the server would send none).
     */
    void add(Expected entry) {
        if (skipping) {
            if (entry.kind != Expected.Kind.SYNC) {
                skip(entry);
                return;
            }
            skipping = false;
        }
        entries.addLast(entry);
        deliverSynthetic();
    }

    /** Whether the server skips every message until a Sync that has not been added yet. */
    boolean isSkipping() {
        return skipping;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }


    /**
     * Takes one message from the server.
     *
     * @return false if nothing was expected (the frame is released; the caller decides what that means)
     */
    boolean accept(Frame frame) {
        byte type = frame.type();
        Expected head = entries.peekFirst();
        if (type == 'N' || type == 'A') {
            // Notices and notifications may come at any time and always concern the client.
            toClient.accept(frame);
            return true;
        }
        if (head == null) {
            frame.release();
            return false;
        }
        if (head.observer != null) {
            head.observer.accept(frame);
        }
        boolean error = type == 'E';
        if (error && head.synthetic != null) {
            // A failure the proxy provoked: the client sees the error it stands for.
            frame.release();
            toClient.accept(head.synthetic);
        } else if (type == 'S') {
            // ParameterStatus: the client hears about changes it caused, not about the proxy's own.
            deliverOrRelease(frame, head.toClient);
        } else {
            deliverOrRelease(frame, error ? head.errorsToClient : head.toClient);
        }
        if (error && head.kind.isExtended()) {
            entries.removeFirst();
            // No Sync sent yet: the server skips whatever comes before it, also what the hooks below send
            // (a Sync already sent comes before anything sent now, which the server then runs).
            skipping = entries.stream().noneMatch(e -> e.kind == Expected.Kind.SYNC);
            run(head.onFailed);
            while (!entries.isEmpty() && entries.peekFirst().kind != Expected.Kind.SYNC) {
                skip(entries.removeFirst());
            }
        } else if (error) {
            headFailed = true;
        } else if (head.kind.endsWith(type)) {
            entries.removeFirst();
            if (head.synthetic != null) {
                // An error the proxy meant to provoke, which the server did not give.
                head.synthetic.release();
            }
            boolean failed = headFailed;
            headFailed = false;
            run(failed ? head.onFailed : head.onDone);
        }
        deliverSynthetic();
        return true;
    }

    /** Drops every entry (the server is gone); made-up answers are released, failure hooks run. */
    void clear() {
        skipping = false;
        headFailed = false;
        while (!entries.isEmpty()) {
            skip(entries.removeFirst());
        }
    }

    /** An entry the server will not answer: a made-up answer is released, the failure hook runs. */
    private static void skip(Expected entry) {
        if (entry.synthetic != null) {
            entry.synthetic.release();
        }
        run(entry.onFailed);
    }

    private void deliverSynthetic() {
        while (!entries.isEmpty() && entries.peekFirst().kind == Expected.Kind.SYNTHETIC) {
            toClient.accept(entries.removeFirst().synthetic);
        }
    }

    private void deliverOrRelease(Frame frame, boolean deliver) {
        if (deliver) {
            toClient.accept(frame);
        } else {
            frame.release();
        }
    }

    private static void run(Runnable hook) {
        if (hook != null) {
            hook.run();
        }
    }
}

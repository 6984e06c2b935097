package io.pgherd.proxy.session;

import java.util.function.Consumer;

import io.pgherd.protocol.Frame;

/**
 * One thing sent to a server whose answer is still due, in the order sent: a client's message, one
 * the proxy slipped in (a Parse before a Bind on a server that lacks the statement, a query that
 * restores or reads session state), or an answer the proxy makes up itself and must deliver in its
 * place in the stream (a ParseComplete for a statement the server already has). Used only on the
 * session's event loop.
 */
final class Expected {
    /** Which server message ends an entry. */
    enum Kind {
        /** Parse: ParseComplete. */
        PARSE,
        /** Bind: BindComplete. */
        BIND,
        /** Describe: RowDescription or NoData (after ParameterDescription for a statement). */
        DESCRIBE,
        /** Execute: CommandComplete, EmptyQueryResponse or PortalSuspended. */
        EXECUTE,
        /** Close: CloseComplete. */
        CLOSE,
        /** Sync: ReadyForQuery. */
        SYNC,
        /** Query or FunctionCall: ReadyForQuery (errors do not end it). */
        QUERY,
        /** An answer the proxy delivers itself; the server sends nothing for it. */
        SYNTHETIC;

        /** Whether {@code type} from the server ends an entry of this kind (errors aside). */
        boolean endsWith(byte type) {
            return switch (this) {
                case PARSE -> type == '1';
                case BIND -> type == '2';
                case DESCRIBE -> type == 'T' || type == 'n';
                case EXECUTE -> type == 'C' || type == 'I' || type == 's';
                case CLOSE -> type == '3';
                case SYNC, QUERY -> type == 'Z';
                case SYNTHETIC -> false;
            };
        }

        /** Whether an ErrorResponse ends an entry of this kind and makes the server skip to the next Sync. */
        boolean isExtended() {
            return this != SYNC && this != QUERY && this != SYNTHETIC;
        }
    }

    final Kind kind;
    /** Whether the server's answers go to the client (false for what the proxy slipped in). */
    final boolean toClient;
    /** Whether an error answer goes to the client even when the others do not. */
    final boolean errorsToClient;
    /**
     * For {@link Kind#SYNTHETIC}: the answer to deliver; for {@link #failing}: the error to deliver in place
     * of the server's. Owned by this entry until delivered or dropped.
     */
    final Frame synthetic;
    /** Sees every server message of this entry before it is forwarded or dropped; may be null. */
    final Consumer<Frame> observer;
    /** Runs when the entry ends and no error came for it; may be null. */
    final Runnable onDone;
    /**
     * Runs when the server answered with an error (for a Query: at its ReadyForQuery), skipped the
     * entry after an earlier error, or went away; may be null.
     */
    final Runnable onFailed;

    private Expected(Kind kind, boolean toClient, boolean errorsToClient, Frame synthetic, Consumer<Frame> observer,
                     Runnable onDone, Runnable onFailed) {
        this.kind = kind;
        this.toClient = toClient;
        this.errorsToClient = errorsToClient;
        this.synthetic = synthetic;
        this.observer = observer;
        this.onDone = onDone;
        this.onFailed = onFailed;
    }

    /** A client's message whose answers go to the client. */
    static Expected forward(Kind kind) {
        return new Expected(kind, true, true, null, null, null, null);
    }

    /** A client's message with hooks for its outcome. */
    static Expected forward(Kind kind, Runnable onDone, Runnable onFailed) {
        return new Expected(kind, true, true, null, null, onDone, onFailed);
    }

    /** A message the proxy slipped in; its answers are dropped, except errors when {@code errorsToClient}. */
    static Expected injected(Kind kind, boolean errorsToClient, Consumer<Frame> observer, Runnable onDone,
                             Runnable onFailed) {
        return new Expected(kind, false, errorsToClient, null, observer, onDone, onFailed);
    }

    /**
     * A message the proxy sent only so that the server fails here, as it would on the client's own
     * message; the client gets {@code error} (owned by this entry) in place of the server's error.
     */
    static Expected failing(Kind kind, Frame error) {
        return new Expected(kind, false, true, error, null, null, null);
    }

    /** An answer the proxy delivers in this place of the stream. */
    static Expected synthetic(Frame answer) {
        return new Expected(Kind.SYNTHETIC, true, true, answer, null, null, null);
    }

    /**
     * An answer the proxy delivers in this place of the stream, unless the server skips this place
     * (an earlier error, no Sync since): then the answer is dropped and {@code onSkipped} undoes
     * what the message would have done.
     */
    static Expected synthetic(Frame answer, Runnable onSkipped) {
        return new Expected(Kind.SYNTHETIC, true, true, answer, null, null, onSkipped);
    }
}

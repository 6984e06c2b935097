package io.pgherd.proxy.session;

/**
 * What becomes of a client whose linked server connection died (terminated, crashed, shut down, cut
 * off). Connected directly, the client would lose its connection; through the proxy it keeps it only
 * where nothing it relied on died with the server: the server's session was not the client's own
 * (transaction pooling, no pin), so the proxy holds everything of the session that matters.
 */
enum ServerLoss {
    /** Nothing reached the client, and running the work again is safe: it runs on another connection, unnoticed. */
    REPLAY,
    /** A transaction-pooled, unpinned client: its transaction is lost (one ERROR), its session goes on. */
    FAIL_TRANSACTION,
    /**
     * The server's session was the client's (session pooling, or a pin: temporary tables, session
     * advisory locks, LISTEN, WITH HOLD cursors), or the client's own statement ended its backend:
     * the client gets the server's error and its connection is closed, as PostgreSQL would.
     */
    CLOSE_CLIENT;

    /**
     * @param sessionPooling the client has the server for its whole session
     * @param pinned         state that cannot move ties the client to that server
     * @param endsOwnBackend the work in flight may have ended its own backend (pg_terminate_backend)
     * @param replayable     nothing reached the client, replays are left, and the work may run twice
     */
    static ServerLoss of(boolean sessionPooling, boolean pinned, boolean endsOwnBackend, boolean replayable) {
        if (sessionPooling || pinned || endsOwnBackend) {
            return CLOSE_CLIENT;
        }
        return replayable ? REPLAY : FAIL_TRANSACTION;
    }
}

package io.pgherd.proxy.frontend;

import java.util.function.IntFunction;

import io.pgherd.proxy.admin.AdminContext;
import io.pgherd.proxy.auth.Authenticator;
import io.pgherd.proxy.backend.Pool;
import io.pgherd.proxy.session.ClientHandle;
import io.pgherd.proxy.session.SessionContext;

/**
 * What a client's startup uses of the proxy, and all it sees of it: it logs the client in, registers
 * it, and hands it to a session or to the admin console, which each get what they need of the proxy.
 * The proxy implements this, so that this package needs nothing of the proxy's own. Thread-safe.
 */
public interface FrontendContext extends SessionContext, AdminContext {
    /** Finds the secret of a user (auth_file or auth_query) for the configuration in effect now. */
    Authenticator authenticator();

    /** The pool of the primary for ({@code database}, {@code user}). */
    Pool primaryPool(String database, String user);

    /** Registers a client under a fresh random process id; returns that id. */
    int register(IntFunction<ClientHandle> client);

    /** Registers a client under {@code processId} unless another client has it; returns whether it did. */
    boolean registerAs(int processId, ClientHandle client);
}

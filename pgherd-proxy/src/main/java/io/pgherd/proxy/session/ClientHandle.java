package io.pgherd.proxy.session;

import java.util.List;

/** What the proxy needs to know of a client from outside its event loop. */
public interface ClientHandle {
    int processId();

    int secretKey();

    /** Forwards a cancel request to the server running this client's query, if any. */
    void cancel();

    /** Closes the client with a FATAL error saying why. */
    void kill(String why);

    /** One row of SHOW CLIENTS. */
    List<String> describe();

    /** Why the client is pinned to its server, or empty. */
    String pinReason();

    /** Bytes written to the client that its socket has not taken yet (what backpressure bounds). */
    long bufferedBytes();
}

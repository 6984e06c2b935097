package io.pgherd.proxy.session;

import io.pgherd.protocol.Parse;

/**
 * A protocol-level prepared statement as one client named it: the server-side name it maps to, and
 * the Parse that creates it there (with the server-side name), replayed on a server that lacks it.
 */
record ClientStatement(String serverName, Parse parse) {
}

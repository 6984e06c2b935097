package io.pgherd.controller.replicas;

import java.util.List;

/**
 * The draining of a member before its removal: the mark the controller writes (the assignment record
 * {@code assignments/<member>} with {@code draining: true}) and what the live proxies say of the reads
 * still running there ({@code proxies/<name>} {@code reads}). The seam to those records until they are on main.
 */
public interface Drains {
    /** Marks {@code member} draining (true) or not (false); nothing when it already is so. */
    void mark(String member, boolean draining);

    /** Forgets the mark of a member that is gone; nothing when there is none. */
    void forget(String member);

    /** Every live proxy and the reads it runs on {@code member} now. */
    List<ProxyReads> reads(String member);

    /**
     * One live proxy's reads on a member.
     *
     * @param proxy the proxy's name
     * @param reported whether its record says (a proxy of an older release does not: it is waited for)
     * @param reads the reads it runs there now
     */
    record ProxyReads(String proxy, boolean reported, int reads) {
    }
}

package io.pgherd.controller.replicas;

import java.util.List;

/**
 * The marks the controller keeps on a member in its assignment record ({@code assignments/<member>}): a new
 * replica's {@code ready: false} until it streams within the lag limit (the proxies send it no reads before), and
 * the draining of a member before its removal ({@code draining: true}) with what the live proxies say of the reads
 * still running there ({@code proxies/<name>} {@code reads}).
 */
public interface Drains {
    /**
     * Records {@code member} as a new read replica that takes no reads yet: an assignment with role replica,
     * {@code ready: false} and {@code cloneFrom} (empty: none) as the member to clone from. Nothing when it has an
     * assignment with role replica already (written by this task before a takeover, or by the spare provisioner).
     */
    void announce(String member, String cloneFrom);

    /** Marks {@code member} ready to take reads; nothing when it is (or has no assignment). */
    void ready(String member);

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

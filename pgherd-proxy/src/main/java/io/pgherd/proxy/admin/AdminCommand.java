package io.pgherd.proxy.admin;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;


/**
 * One admin console command: the pattern it answers to and what it does. A command that must wait
 * (PAUSE until every server is back in its pool, RELOAD while it reads files) completes its future
 * later; it never blocks the event loop.
 */
interface AdminCommand {
    /** A case-insensitive regular expression the whole statement must match. */
    String pattern();

    /** One line for SHOW HELP. */
    String help();

    CompletableFuture<AdminResult> run(AdminContext proxy, Matcher match);
}

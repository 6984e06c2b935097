package io.pgherd.controller.replicas;

import java.util.List;
import java.util.Optional;

/**
 * Where a new read replica's machine, data directory and agent come from (issue 15): the seam at which
 * {@value #LOCAL} (a new PostgreSQL and agent on this machine), {@value #SPARE} (an idle agent on another
 * host, assigned through the DCS) and a Kubernetes or cloud provisioner (a pod or an instance running an
 * agent with the member's name) plug in. The controller only names members; a provisioner makes an agent
 * run under that name, which then clones and joins by itself, and takes it away again.
 *
 * <p>Every method is idempotent: the task steps that call it may run again after a controller crash.
 */
public interface Provisioner {
    /** The provisioner that makes members on this machine. */
    String LOCAL = "local";
    /** The provisioner that assigns registered spares. */
    String SPARE = "spare";

    /**
     * Makes {@code name} ready to run as a read replica cloned from {@code cloneFrom}, without starting it;
     * nothing when it already is.
     *
     * @return where it will run
     */
    Placement provision(String name, String cloneFrom);

    /** Starts {@code name}'s agent (which clones and joins by itself); nothing when it runs. */
    void start(String name);

    /** Stops {@code name}'s agent and its PostgreSQL, data kept; nothing when neither runs. */
    void stop(String name);

    /** Stops {@code name} and removes everything it made for it (or gives the spare back); nothing when none is left. */
    void release(String name);

    /**
     * Why {@code name}, provisioned and started, can no longer come up (its host or agent is gone), or empty while
     * it may: a step waiting for it fails at once with this instead of waiting for its timeout.
     */
    default Optional<String> lost(String name) {
        return Optional.empty();
    }

    /** The members it made and has not released, sorted: after a controller crash, what to compare with the tasks. */
    List<String> list();

    /**
     * Where a provisioned member runs.
     *
     * @param name the member
     * @param host its PostgreSQL's host
     * @param port its PostgreSQL's port
     * @param where a few words for messages ({@code /srv/.pgherd/node5}, {@code the spare on db7})
     */
    record Placement(String name, String host, int port, String where) {
    }
}

/**
 * Read replicas kept at {@code spec.read_replicas} (issue 15): the pure {@link io.pgherd.controller.replicas.ReplicaRules}
 * that decides one action at a time, the idempotent steps of the {@code add_replica} and {@code remove_replica}
 * tasks, and the {@link io.pgherd.controller.replicas.Provisioner} seam where a new member's machine comes from
 * ({@code local} in pgherd-cli, {@code spare}, and later a Kubernetes or cloud one).
 */
package io.pgherd.controller.replicas;

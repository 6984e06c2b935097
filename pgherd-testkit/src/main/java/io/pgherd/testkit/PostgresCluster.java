package io.pgherd.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real replicated PostgreSQL cluster: one primary, an optional standby and
 * {@link #replicas()} read replicas, all streaming, on free loopback ports under
 * {@code target/pgherd-it/}. The cluster is shared by the class's tests, created before the first,
 * stopped after the last even when tests fail, and the servers' logs are printed for every failed
 * test. Test methods and constructors receive it as a {@link io.pgherd.postgres.LocalCluster} parameter.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresClusterExtension.class)
public @interface PostgresCluster {
    /** Whether the cluster has a standby ({@code node2}), the failover candidate. */
    boolean standby() default true;

    /** How many read replicas follow the standby. */
    int replicas() default 2;

    /** Extra PostgreSQL parameters as {@code name=value}. */
    String[] parameters() default {};
}

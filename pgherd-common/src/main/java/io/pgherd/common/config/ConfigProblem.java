package io.pgherd.common.config;

/**
 * One thing wrong with a configuration: where (a dotted path such as {@code proxy.pool.pool_size})
 * and what, observed against expected.
 */
public record ConfigProblem(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}

package io.pgherd.dcs;

/**
 * The store could not be asked, or did not answer in time: the outcome of the operation is
 * <b>unknown</b>. A write that failed this way may or may not have been applied; read again before
 * acting on it.
 *
 * <p>Answers the store did give ("the key exists", "the revision is stale") are never reported as
 * exceptions: they are the {@code false} or empty results of {@link Dcs} methods.
 */
public sealed class DcsException extends RuntimeException permits LostSessionException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String key;

    /**
     * @param store     which store, such as {@code etcd 127.0.0.1:2379}
     * @param operation the {@link Dcs} method, such as {@code compareAndSet}
     * @param key       the key or prefix the operation was about
     * @param problem   what went wrong, such as {@code no answer within 2000 ms}
     * @param cause     the backend's exception, may be null
     */
    public DcsException(String store, String operation, String key, String problem, Throwable cause) {
        super(store + ": " + operation + " " + key + ": " + problem, cause);
        this.operation = operation;
        this.key = key;
    }

    /** The {@link Dcs} method that failed, such as {@code get}. */
    public String operation() {
        return operation;
    }

    /** The key or prefix the failed operation was about. */
    public String key() {
        return key;
    }
}

package io.pgherd.cluster;

/**
 * A compare-and-set of one key kept losing to other writers: nothing was written by the call that
 * throws it. Says which key and how many times it was tried.
 */
public final class ConflictException extends IllegalStateException {
    private final String key;
    private final int tries;

    public ConflictException(String key, int tries) {
        super(key + ": kept changing under " + tries + " compare-and-set tries; nothing was written, try again");
        this.key = key;
        this.tries = tries;
    }

    public String key() {
        return key;
    }

    public int tries() {
        return tries;
    }
}

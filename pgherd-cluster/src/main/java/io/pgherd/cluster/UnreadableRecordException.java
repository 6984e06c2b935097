package io.pgherd.cluster;

/** A DCS key holds something its record cannot be read from: says which key and why. */
public final class UnreadableRecordException extends RuntimeException {
    private final String key;
    private final String reason;

    public UnreadableRecordException(String key, String reason) {
        super(key + ": unreadable record (" + reason + ")");
        this.key = key;
        this.reason = reason;
    }

    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}

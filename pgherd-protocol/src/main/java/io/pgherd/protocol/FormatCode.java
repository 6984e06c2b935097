package io.pgherd.protocol;

/**
 * The format of a parameter, column or COPY value: text (0) or binary (1).
 *
 * <p>The protocol defines no other codes; decoding any other value raises a {@link
 * ProtocolException}.
 */
public enum FormatCode {
    /** Format code 0. */
    TEXT,
    /** Format code 1. */
    BINARY;

    /** The code as written on the wire. */
    public int code() {
        return ordinal();
    }

    /**
     * @throws ProtocolException naming {@code context} if {@code code} is neither 0 nor 1
     */
    static FormatCode of(int code, String context) {
        return switch (code) {
            case 0 -> TEXT;
            case 1 -> BINARY;
            default -> throw ProtocolException.violation(
                    context + ": format code " + code + " is neither 0 (text) nor 1 (binary)");
        };
    }
}

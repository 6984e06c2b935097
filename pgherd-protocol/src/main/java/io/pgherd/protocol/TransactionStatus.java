package io.pgherd.protocol;

/** The transaction status carried by {@link ReadyForQuery}. */
public enum TransactionStatus {
    /** {@code 'I'}: not in a transaction block. */
    IDLE('I'),
    /** {@code 'T'}: in a transaction block. */
    IN_TRANSACTION('T'),
    /** {@code 'E'}: in a failed transaction block; queries are rejected until it ends. */
    FAILED('E');

    private final byte code;

    TransactionStatus(char code) {
        this.code = (byte) code;
    }

    /** The status byte as written on the wire. */
    public byte code() {
        return code;
    }

    /**
     * @throws ProtocolException if {@code code} is not {@code 'I'}, {@code 'T'} or {@code 'E'}
     */
    static TransactionStatus of(byte code) {
        return switch (code) {
            case 'I' -> IDLE;
            case 'T' -> IN_TRANSACTION;
            case 'E' -> FAILED;
            default -> throw ProtocolException.violation("ReadyForQuery: transaction status "
                    + Wire.describe(code) + " is not 'I', 'T' or 'E'");
        };
    }
}

package io.pgherd.protocol;

/** What a {@link Describe} or {@link Close} message addresses: a prepared statement or a portal. */
public enum ObjectKind {
    /** {@code 'S'}: a prepared statement. */
    STATEMENT('S'),
    /** {@code 'P'}: a portal. */
    PORTAL('P');

    private final byte code;

    ObjectKind(char code) {
        this.code = (byte) code;
    }

    /** The byte as written on the wire. */
    public byte code() {
        return code;
    }

    /**
     * @throws ProtocolException naming {@code message} if {@code code} is not {@code 'S'} or
     *     {@code 'P'}
     */
    static ObjectKind of(byte code, String message) {
        return switch (code) {
            case 'S' -> STATEMENT;
            case 'P' -> PORTAL;
            default -> throw ProtocolException.violation(message + ": object kind "
                    + Wire.describe(code) + " is not 'S' (statement) or 'P' (portal)");
        };
    }
}

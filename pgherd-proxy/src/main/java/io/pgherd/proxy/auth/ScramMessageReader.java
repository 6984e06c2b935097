package io.pgherd.proxy.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Reads the {@code attr=value} fields of one SCRAM message (RFC 5802 §7), left to right. Errors
 * are built by the given factory, so that the server side raises protocol violations and the
 * client side {@link ServerAuthenticationException}s; every message names the SCRAM message and
 * what was expected. Values are not quoted in errors: they may carry proofs or signatures.
 * Not thread-safe; one per message.
 */
final class ScramMessageReader {

    private final String messageName;
    private final String text;
    private final Function<String, RuntimeException> errors;
    private int position;

    private ScramMessageReader(String messageName, String text,
            Function<String, RuntimeException> errors) {
        this.messageName = messageName;
        this.text = text;
        this.errors = errors;
    }

    /**
     * A reader over {@code bytes} decoded as strict UTF-8.
     *
     * @param messageName e.g. {@code SCRAM client-first-message}, for errors
     */
    static ScramMessageReader of(String messageName, byte[] bytes,
            Function<String, RuntimeException> errors) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes))
                    .toString();
            return new ScramMessageReader(messageName, text, errors);
        } catch (CharacterCodingException e) {
            throw errors.apply(messageName + " is not valid UTF-8");
        }
    }

    /** The whole message text. */
    String text() {
        return text;
    }

    /** The offset of the next unread character. */
    int position() {
        return position;
    }

    boolean atEnd() {
        return position >= text.length();
    }

    /** The next character without consuming it, or 0 at the end. */
    char peek() {
        return atEnd() ? 0 : text.charAt(position);
    }

    /** Consumes one character, which must be {@code expected}; {@code what} names it. */
    void expect(char expected, String what) {
        if (peek() != expected) {
            throw fail("expected " + what + " at offset " + position + " (got "
                    + (atEnd() ? "end of message" : "'" + peek() + "'") + ")");
        }
        position++;
    }

    /**
     * Reads {@code name=value} up to the next comma (not consumed) or the end.
     *
     * @return the value, possibly empty
     */
    String attribute(char name, String what) {
        if (atEnd() || text.charAt(position) != name || position + 1 >= text.length()
                || text.charAt(position + 1) != '=') {
            throw fail("expected " + what + " (" + name + "=...) at offset " + position
                    + " (got " + describeNext() + ")");
        }
        position += 2;
        int comma = text.indexOf(',', position);
        int end = comma < 0 ? text.length() : comma;
        String value = text.substring(position, end);
        position = end;
        return value;
    }

    /** The name of the next attribute, or 0 at the end or if it is not {@code x=...}. */
    char peekAttributeName() {
        return position + 1 < text.length() && text.charAt(position + 1) == '=' ? peek() : 0;
    }

    /** Skips an optional extension attribute {@code x=...} (RFC 5802 §5.1). */
    void skipExtension() {
        char name = peekAttributeName();
        if (!Character.isLetter(name)) {
            throw fail("expected an attribute at offset " + position + " (got "
                    + describeNext() + ")");
        }
        attribute(name, "extension");
    }

    /** Base64 value of attribute {@code name}, decoded. */
    byte[] base64Attribute(char name, String what) {
        String value = attribute(name, what);
        try {
            return Scram.decodeBase64(value);
        } catch (IllegalArgumentException e) {
            throw fail(what + " (" + name + "=) is not valid base64");
        }
    }

    /** Requires the end of the message. */
    void end() {
        if (!atEnd()) {
            throw fail("unexpected data after the last attribute, at offset " + position
                    + " (" + (text.length() - position) + " characters)");
        }
    }

    RuntimeException fail(String problem) {
        return errors.apply(messageName + ": " + problem);
    }

    private String describeNext() {
        if (atEnd()) {
            return "end of message";
        }
        char name = peekAttributeName();
        return name != 0 ? "attribute " + name + "=" : "'" + peek() + "'";
    }
}

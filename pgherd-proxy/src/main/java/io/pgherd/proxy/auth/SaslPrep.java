package io.pgherd.proxy.auth;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013) of a password the way PostgreSQL's {@code pg_saslprep} applies it before
 * SCRAM: an ASCII password is used as it is; any other is mapped, NFKC-normalised and checked,
 * and if it breaks a rule the original string is used instead of failing, because PostgreSQL
 * does the same so that any password can be used.
 *
 * <p>Approximation, stated: "unassigned" and the bidirectional categories come from this JVM's
 * Unicode tables rather than Unicode 3.2's, so a password made of characters assigned after 3.2
 * may prepare differently from PostgreSQL. Stateless and thread-safe.
 */
final class SaslPrep {

    /** RFC 3454 C.1.2: non-ASCII space characters, mapped to U+0020. */
    private static final int[] NON_ASCII_SPACE = {
        0x00A0, 0x00A0, 0x1680, 0x1680, 0x2000, 0x200B, 0x202F, 0x202F, 0x205F, 0x205F,
        0x3000, 0x3000};

    /** RFC 3454 B.1: commonly mapped to nothing. */
    private static final int[] MAPPED_TO_NOTHING = {
        0x00AD, 0x00AD, 0x034F, 0x034F, 0x1806, 0x1806, 0x180B, 0x180D, 0x200B, 0x200D,
        0x2060, 0x2060, 0xFE00, 0xFE0F, 0xFEFF, 0xFEFF};

    /** RFC 3454 C.1.2, C.2.1, C.2.2, C.3, C.5, C.6, C.7, C.8, C.9 (C.4 is checked apart). */
    private static final int[] PROHIBITED = {
        0x0000, 0x001F, 0x007F, 0x009F, 0x00A0, 0x00A0, 0x0340, 0x0341, 0x06DD, 0x06DD,
        0x070F, 0x070F, 0x1680, 0x1680, 0x180E, 0x180E, 0x2000, 0x200F, 0x2028, 0x202F,
        0x205F, 0x2063, 0x206A, 0x206F, 0x2FF0, 0x2FFB, 0x3000, 0x3000, 0xD800, 0xF8FF,
        0xFDD0, 0xFDEF, 0xFEFF, 0xFEFF, 0xFFF9, 0xFFFD, 0x1D173, 0x1D17A, 0xE0001, 0xE0001,
        0xE0020, 0xE007F, 0xF0000, 0xFFFFD, 0x100000, 0x10FFFD};

    private SaslPrep() {
    }

    /** The prepared password, or {@code password} itself where PostgreSQL would use it raw. */
    static String prepare(String password) {
        if (isAscii(password)) {
            return password;
        }
        StringBuilder mapped = new StringBuilder(password.length());
        password.codePoints().forEach(cp -> {
            if (in(NON_ASCII_SPACE, cp)) {
                mapped.append(' ');
            } else if (!in(MAPPED_TO_NOTHING, cp)) {
                mapped.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        return isAllowed(normalized) ? normalized : password;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllowed(String text) {
        int[] cps = text.codePoints().toArray();
        boolean hasRandAl = false;
        boolean hasL = false;
        for (int cp : cps) {
            if (in(PROHIBITED, cp) || (cp & 0xFFFE) == 0xFFFE || !Character.isDefined(cp)) {
                return false;
            }
            hasRandAl |= isRandAl(cp);
            hasL |= Character.getDirectionality(cp) == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
        }
        // RFC 3454 §6: text with right-to-left characters has no left-to-right ones and starts
        // and ends with a right-to-left character.
        return !hasRandAl || (!hasL && isRandAl(cps[0]) && isRandAl(cps[cps.length - 1]));
    }

    private static boolean isRandAl(int cp) {
        byte direction = Character.getDirectionality(cp);
        return direction == Character.DIRECTIONALITY_RIGHT_TO_LEFT
                || direction == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    private static boolean in(int[] ranges, int cp) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (cp >= ranges[i] && cp <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }
}

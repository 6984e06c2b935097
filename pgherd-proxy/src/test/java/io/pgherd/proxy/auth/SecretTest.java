package io.pgherd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parsing and printing secrets in PostgreSQL's rolpassword format. */
class SecretTest {

    static final String PENCIL = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=="
            + "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
            + ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
    static final String MD5 = "md553f48b7c4b76a86ce72276c5755f217d";

    @Test
    void scramSecretParsesAndPrintsBackUnchanged() {
        Secret secret = Secret.parse(PENCIL);

        assertThat(secret).isInstanceOfSatisfying(ScramSecret.class, scram -> {
            assertThat(scram.iterations()).isEqualTo(4096);
            assertThat(scram.salt()).hasSize(16);
            assertThat(scram).isEqualTo(ScramRfc7677Test.pencilSecret());
        });
        assertThat(secret.toPostgresText()).isEqualTo(PENCIL);
    }

    @Test
    void md5SecretParsesAndPrintsBackUnchanged() {
        Secret secret = Secret.parse(MD5);

        assertThat(secret).isEqualTo(new Md5Secret("53f48b7c4b76a86ce72276c5755f217d"));
        assertThat(secret.toPostgresText()).isEqualTo(MD5);
    }

    @Test
    void secretFromPasswordHasPostgresDefaults() {
        ScramSecret secret = ScramSecret.fromPassword("pw");

        assertThat(secret.iterations()).isEqualTo(4096);
        assertThat(secret.salt()).hasSize(16).isNotEqualTo(ScramSecret.fromPassword("pw").salt());
        assertThat(Secret.parse(secret.toPostgresText())).isEqualTo(secret);
    }

    @Test
    void toStringNeverShowsKeyMaterial() {
        assertThat(Secret.parse(PENCIL))
                .hasToString("ScramSecret[iterations=4096, salt=16 bytes, keys=<hidden>]");
        assertThat(Secret.parse(MD5)).hasToString("Md5Secret[digest=<hidden>]");
    }

    @Test
    void accessorsReturnCopies() {
        ScramSecret secret = (ScramSecret) Secret.parse(PENCIL);
        secret.storedKey()[0] ^= 1;
        secret.salt()[0] ^= 1;

        assertThat(secret.toPostgresText()).isEqualTo(PENCIL);
    }

    static final String FORMATS = "a SCRAM-SHA-256 secret"
            + " (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)"
            + " or an md5 secret (md5 followed by 32 lower-case hex digits)";

    static Stream<Arguments> malformedSecrets() {
        String keys = "$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
                + ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
        return Stream.of(
                Arguments.of("empty", "", "the secret is empty; expected " + FORMATS),
                Arguments.of("plaintext", "hunter2", "the secret is not in a known format"
                        + " (plaintext passwords are not accepted); expected " + FORMATS),
                Arguments.of("md5 too short", "md5abc", "the secret is not in a known format"
                        + " (plaintext passwords are not accepted); expected " + FORMATS),
                Arguments.of("md5 upper-case", "md553F48B7C4B76A86CE72276C5755F217D", "the md5"
                        + " secret must be md5 followed by 32 lower-case hex digits; it has other"
                        + " characters after md5"),
                Arguments.of("scram without parts", "SCRAM-SHA-256$", "the SCRAM secret is"
                        + " malformed; expected " + FORMATS),
                Arguments.of("scram without server key", "SCRAM-SHA-256$4096:c2FsdA==$abc",
                        "the SCRAM secret is malformed; expected " + FORMATS),
                Arguments.of("iterations not a number", "SCRAM-SHA-256$many:W22ZaJ0SNY7soEsUEjb6gQ=="
                        + keys, "the SCRAM secret's iteration count is not a positive decimal"
                        + " integer"),
                Arguments.of("zero iterations", "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==" + keys,
                        "the SCRAM secret's iteration count must be between 1 and 2147483647"
                        + " (got 0)"),
                Arguments.of("salt not base64", "SCRAM-SHA-256$4096:W22Z*J0SNY7soEsUEjb6gQ=="
                        + keys, "the SCRAM secret's salt is not valid base64"),
                Arguments.of("empty salt", "SCRAM-SHA-256$4096:" + keys, "the SCRAM secret is"
                        + " malformed: SCRAM salt must not be empty"),
                Arguments.of("short stored key", "SCRAM-SHA-256$4096:c2FsdA==$c2FsdA==:"
                        + "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=", "the SCRAM secret is"
                        + " malformed: StoredKey must be 32 bytes (got 4)"),
                Arguments.of("server key not base64", "SCRAM-SHA-256$4096:c2FsdA==$"
                        + "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:!!", "the SCRAM secret's"
                        + " ServerKey is not valid base64"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSecrets")
    void malformedSecretIsRefusedWithAReasonThatDoesNotQuoteIt(String name, String text,
            String message) {
        assertThatThrownBy(() -> Secret.parse(text))
                .isInstanceOf(InvalidSecretException.class)
                .hasMessage(message);
    }

    @Test
    void nullIsRefusedAsEmpty() {
        assertThatThrownBy(() -> Secret.parse(null)).isInstanceOf(InvalidSecretException.class)
                .hasMessageStartingWith("the secret is empty");
    }

    @Test
    void asciiPasswordIsUsedAsItIsEvenWithControlCharacters() {
        assertThat(SaslPrep.prepare("pa\u0007ss word")).isEqualTo("pa\u0007ss word");
    }

    @Test
    void nonAsciiPasswordIsMappedAndNormalizedAsRfc4013Says() {
        assertThat(SaslPrep.prepare("I\u00ADX")).isEqualTo("IX");
        assertThat(SaslPrep.prepare("\u00AA")).isEqualTo("a");
        assertThat(SaslPrep.prepare("\u2168")).isEqualTo("IX");
        assertThat(SaslPrep.prepare("a\u00A0b\u00E9")).isEqualTo("a b\u00E9");
    }

    @Test
    void nonAsciiPasswordThatBreaksARuleIsUsedRawAsPostgresDoes() {
        assertThat(SaslPrep.prepare("\u00E9\u0007")).isEqualTo("\u00E9\u0007");
        assertThat(SaslPrep.prepare("\u0627\u0031")).isEqualTo("\u0627\u0031");
    }
}

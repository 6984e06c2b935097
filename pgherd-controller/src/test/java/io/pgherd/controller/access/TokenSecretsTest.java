package io.pgherd.controller.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TokenSecretsTest {
    private final TokenSecrets secrets = new TokenSecrets();

    @Test
    void aTokenIsThePrefixItsIdAnd256RandomBitsFitForAHeader() {
        String id = secrets.newId();
        String token = secrets.newToken(id);
        assertThat(id).matches("[0-9a-f]{16}");
        assertThat(token).startsWith("pgh_" + id + "_").matches("[A-Za-z0-9_-]+");
        String secret = token.substring(("pgh_" + id + "_").length());
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32);
        assertThat(TokenSecrets.idOf(token)).contains(id);
        assertThat(TokenSecrets.isId(id)).isTrue();
    }

    @Test
    void tokensDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(secrets.newToken("0000000000000000"))).isTrue();
        }
    }

    @Test
    void theHashIsSha256OfTheTokenAndOnlyTheTokenMatchesIt() {
        assertThat(TokenSecrets.hash("test")).isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        String token = secrets.newToken(secrets.newId());
        String hash = TokenSecrets.hash(token);
        assertThat(hash).doesNotContain(token.substring(21));
        assertThat(TokenSecrets.matches(token, hash)).isTrue();
        assertThat(TokenSecrets.matches(token + "x", hash)).isFalse();
        assertThat(TokenSecrets.matches(token, hash.toUpperCase())).isFalse();
        assertThat(TokenSecrets.matches(token, null)).isFalse();
        assertThat(TokenSecrets.matches(hash, hash)).as("the hash is no token").isFalse();
    }

    @Test
    void onlyTokensOfTheRightShapeNameAnId() {
        String id = "0a1b2c3d4e5f6a7b";
        String token = secrets.newToken(id);
        assertThat(TokenSecrets.idOf(token.substring(0, token.length() - 1))).isEmpty();
        assertThat(TokenSecrets.idOf(token + "A")).isEmpty();
        assertThat(TokenSecrets.idOf("Bearer " + token)).isEmpty();
        assertThat(TokenSecrets.idOf("pgh_0A1B2C3D4E5F6A7B_" + token.substring(21))).isEmpty();
        assertThat(TokenSecrets.idOf(null)).isEmpty();
        assertThat(TokenSecrets.isId(token)).isFalse();
        assertThat(TokenSecrets.isId("0a1b2c3d4e5f6a7")).isFalse();
    }

    @Test
    void redactionHidesTheSecretAndKeepsTheId() {
        String token = secrets.newToken("0a1b2c3d4e5f6a7b");
        String secret = token.substring(21);
        assertThat(TokenSecrets.redact("created " + token + " for bob")).isEqualTo("created pgh_0a1b2c3d4e5f6a7b_<hidden> for bob")
                .doesNotContain(secret);
        assertThat(TokenSecrets.redact("nothing here")).isEqualTo("nothing here");
        assertThat(TokenSecrets.redact(null)).isNull();
    }
}

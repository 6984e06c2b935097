package io.pgherd.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** md5 secrets and challenge responses, with values computed independently of this code. */
class Md5AuthTest {

    static final byte[] SALT = {1, 2, 3, 4};

    @Test
    void secretIsMd5OfPasswordThenUser() {
        assertThat(Md5Auth.secret("postgres", "secret").toPostgresText())
                .isEqualTo("md553f48b7c4b76a86ce72276c5755f217d");
    }

    @Test
    void passwordMessageIsMd5OfTheSecretsHexThenTheSalt() {
        assertThat(Md5Auth.passwordMessage(Md5Auth.secret("postgres", "secret"), SALT))
                .isEqualTo("md5bb41a296aab6baccb36ff243a562abff");
    }

    @Test
    void rightResponseIsAccepted() {
        Md5Auth.verify("postgres", Md5Auth.secret("postgres", "secret"), SALT,
                "md5bb41a296aab6baccb36ff243a562abff");
    }

    @Test
    void wrongResponseFailsWithInvalidPassword() {
        Md5Secret secret = Md5Auth.secret("postgres", "secret");
        for (String response : new String[] {"md5bb41a296aab6baccb36ff243a562abfe", "", "md5",
                Md5Auth.passwordMessage(secret, new byte[] {4, 3, 2, 1})}) {
            assertThatThrownBy(() -> Md5Auth.verify("postgres", secret, SALT, response))
                    .isInstanceOfSatisfying(AuthenticationFailedException.class, e -> {
                        assertThat(e).hasMessage("password authentication failed for user"
                                + " \"postgres\"");
                        assertThat(e.reason()).isEqualTo("md5 response does not match the"
                                + " user's md5 secret");
                        assertThat(e.sqlState()).isEqualTo("28P01");
                    });
        }
    }

    @Test
    void saltOfAnotherLengthIsRefused() {
        assertThatThrownBy(() -> Md5Auth.passwordMessage(Md5Auth.secret("u", "p"), new byte[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an md5 salt must be 4 bytes (got 3)");
    }

    @Test
    void freshSaltsAreFourRandomBytes() {
        assertThat(Md5Auth.newSalt()).hasSize(4).isNotEqualTo(Md5Auth.newSalt());
    }
}

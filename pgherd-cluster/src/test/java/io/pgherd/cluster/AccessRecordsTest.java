package io.pgherd.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The records of users, tokens and the audit log: their exact JSON, what a newer release's fields do, and the bound. */
class AccessRecordsTest {
    private static final String HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final UserRecord USER = UserRecord.of("alice", "operator", 1765000000000L);
    private static final TokenRecord TOKEN = new TokenRecord(TokenRecord.FORMAT, "0a1b2c3d4e5f6a7b", "alice", 42, HASH,
            1765000000000L, 1767000000000L);
    private static final AuditRecord AUDIT = new AuditRecord(1765000000123L, "alice", "0a1b2c3d4e5f6a7b",
            "PUT /api/v1/spec/replicas", "", 200, "desired read replicas 3 (was 2)");

    @Test
    void aUserIsWrittenInSnakeCaseWithItsFormat() {
        String json = "{\"format\":1,\"name\":\"alice\",\"role\":\"operator\",\"created\":1765000000000}";
        assertThat(ClusterJson.write(USER)).isEqualTo(json);
        assertThat(ClusterJson.read("users/alice", json, UserRecord.class)).isEqualTo(USER);
    }

    @Test
    void aTokenRecordHoldsTheHashAndAnExpiryOnlyWhenItHasOne() {
        String json = "{\"format\":1,\"id\":\"0a1b2c3d4e5f6a7b\",\"user\":\"alice\",\"user_revision\":42,\"hash\":\"" + HASH
                + "\",\"created\":1765000000000,\"expires\":1767000000000}";
        assertThat(ClusterJson.write(TOKEN)).isEqualTo(json);
        assertThat(ClusterJson.read("tokens/0a1b2c3d4e5f6a7b", json, TokenRecord.class)).isEqualTo(TOKEN);
        TokenRecord forever = new TokenRecord(1, "0a1b2c3d4e5f6a7b", "alice", 42, HASH, 1765000000000L, null);
        assertThat(ClusterJson.write(forever)).doesNotContain("expires");
        assertThat(ClusterJson.read("k", ClusterJson.write(forever), TokenRecord.class)).isEqualTo(forever);
    }

    @Test
    void aTokenRecordNeverShowsItsHash() {
        assertThat(TOKEN.toString()).doesNotContain(HASH).doesNotContain(HASH.substring(0, 8)).contains("0a1b2c3d4e5f6a7b")
                .contains("<hidden>");
    }

    @Test
    void theAuditLogIsAJsonArrayOldestFirst() {
        String json = "[{\"at\":1765000000123,\"user\":\"alice\",\"token_id\":\"0a1b2c3d4e5f6a7b\",\"action\":\"PUT"
                + " /api/v1/spec/replicas\",\"target\":\"\",\"status\":200,\"outcome\":\"desired read replicas 3 (was 2)\"}]";
        AuditTrail trail = AuditTrail.EMPTY.append(AUDIT, 10);
        assertThat(ClusterJson.write(trail)).isEqualTo(json);
        assertThat(ClusterJson.read("audit", json, AuditTrail.class)).isEqualTo(trail);
    }

    @Test
    void recordsOfANewerReleaseWithFieldsThisOneDoesNotKnowAreRead() {
        assertThat(ClusterJson.read("u", "{\"format\":2,\"name\":\"bob\",\"role\":\"auditor\",\"created\":5,\"mfa\":true}",
                UserRecord.class)).isEqualTo(new UserRecord(2, "bob", "auditor", 5));
        assertThat(ClusterJson.read("a", "[{\"at\":1,\"user\":\"bob\",\"status\":403,\"ip\":\"10.0.0.1\"}]", AuditTrail.class)
                .entries()).containsExactly(new AuditRecord(1, "bob", "", "", "", 403, ""));
    }

    @Test
    void theAuditLogKeepsTheNewestEntriesUpToItsBound() {
        AuditTrail trail = AuditTrail.EMPTY;
        for (int i = 0; i < 7; i++) {
            trail = trail.append(entry(i), 5);
        }
        assertThat(trail.entries()).extracting(AuditRecord::atMillis).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(trail.newest(2)).extracting(AuditRecord::atMillis).containsExactly(5L, 6L);
        assertThat(trail.newest(100)).hasSize(5);
        assertThat(trail.newest(0)).isEmpty();
        assertThatThrownBy(() -> AuditTrail.EMPTY.append(entry(0), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void longTextsAreCutSoTheBoundedLogFitsOneValue() {
        String longText = "x".repeat(5000);
        AuditRecord cut = new AuditRecord(1, longText, "-", longText, longText, 500, longText);
        assertThat(List.of(cut.user(), cut.action(), cut.target(), cut.outcome()))
                .allSatisfy(t -> assertThat(t).hasSize(AuditRecord.MAX_TEXT).endsWith("…"));
        assertThat(new AuditRecord(1, null, null, null, null, 0, null).user()).isEmpty();
    }

    private static AuditRecord entry(int i) {
        return new AuditRecord(i, "u", "-", "POST /api/v1/pause", "", 200, "paused " + i);
    }
}

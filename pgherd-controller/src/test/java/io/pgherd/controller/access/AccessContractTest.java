package io.pgherd.controller.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.pgherd.cluster.AccessStore;
import io.pgherd.cluster.ClusterStore;
import io.pgherd.cluster.TokenRecord;
import io.pgherd.controller.access.AccessDecision.Granted;
import io.pgherd.controller.access.AccessDecision.Refused;
import io.pgherd.controller.access.AccessException.Kind;
import io.pgherd.controller.access.Directory.IssuedToken;
import io.pgherd.dcs.Dcs;
import io.pgherd.dcs.DcsAddress;
import io.pgherd.dcs.Entry;

/**
 * Users, tokens and the audit log on a real DCS (subclasses start the server once per class; each test has its own
 * cluster name): the DCS holds a token's hash and never the token, expired, revoked and orphaned tokens are refused
 * and slowed, and the audit log stays bounded with every append of concurrent writers in it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AccessContractTest {
    private static final AtomicInteger clusters = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private final List<Dcs> clients = new ArrayList<>();
    private String cluster;
    private ClusterStore store;
    private DcsDirectory directory;
    private DcsAccess access;

    abstract void startServer(Path directory);

    abstract void stopServer();

    abstract DcsAddress serverAddress();

    @BeforeAll
    void startServerOnce(@TempDir Path dir) {
        startServer(dir);
    }

    @AfterAll
    void stopServerAtEnd() {
        stopServer();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Dcs::close);
        clients.clear();
    }

    private ClusterStore newStore() {
        Dcs dcs = Dcs.connect(serverAddress(), Duration.ofSeconds(5));
        clients.add(dcs);
        return new ClusterStore(dcs, cluster);
    }

    private void newCluster() {
        cluster = "access" + clusters.incrementAndGet();
        store = newStore();
        directory = new DcsDirectory(store, Clock.fixed(T0, ZoneOffset.UTC));
        access = new DcsAccess(store);
    }

    @Test
    void theDcsHoldsTheTokensHashAndNeverTheToken() {
        newCluster();
        directory.addUser("alice", Role.OPERATOR);
        IssuedToken issued = directory.createToken("alice", Optional.empty());
        String secret = issued.secret().substring("pgh_0123456789abcdef_".length());

        List<Entry> everything = new ArrayList<>(store.dcs().list("/"));
        assertThat(everything).as("every key of the store").isNotEmpty();
        assertThat(everything).allSatisfy(e -> assertThat(e.value()).doesNotContain(issued.secret()).doesNotContain(secret));
        TokenRecord record = new AccessStore(store).token(issued.info().id()).orElseThrow();
        assertThat(record.hash()).isEqualTo(TokenSecrets.hash(issued.secret()));
        assertThat(record.user()).isEqualTo("alice");
        assertThat(issued.toString()).doesNotContain(secret);
        assertThat(directory.tokens()).containsExactly(issued.info());
        assertThat(directory.tokens().toString()).doesNotContain(secret).doesNotContain(record.hash());

        AccessDecision decision = access.authenticate("Bearer " + issued.secret(), "10.0.0.1", T0);
        assertThat(decision).isEqualTo(new Granted(new Principal("alice", Role.OPERATOR, issued.info().id())));
        assertThat(decision.toString()).doesNotContain(secret);
    }

    @Test
    void anExpiredTokenIsRefusedFromItsExpiryOn() {
        newCluster();
        directory.addUser("bob", Role.VIEWER);
        Instant expiry = T0.plusSeconds(3600);
        IssuedToken issued = directory.createToken("bob", Optional.of(expiry));
        assertThat(issued.info().expires()).contains(expiry);

        assertThat(access.authenticate("Bearer " + issued.secret(), "c", expiry.minusMillis(1))).isInstanceOf(Granted.class);
        assertThat(access.authenticate("Bearer " + issued.secret(), "c", expiry)).isEqualTo(new Refused("token expired", Duration.ZERO));
        assertThat(access.authenticate("Bearer " + issued.secret(), "c", expiry.plusSeconds(1)))
                .extracting(d -> ((Refused) d).reason()).isEqualTo("token expired");
        assertThat(access.failedAuthentications()).isEqualTo(2);
    }

    @Test
    void aRevokedTokenIsRefusedAndTheOthersOfItsUserStillWork() {
        newCluster();
        directory.addUser("carol", Role.ADMIN);
        IssuedToken first = directory.createToken("carol", Optional.empty());
        IssuedToken second = directory.createToken("carol", Optional.empty());
        directory.revokeToken(first.info().id());

        assertThat(access.authenticate("Bearer " + first.secret(), "c", T0)).isEqualTo(new Refused("unknown or revoked token", Duration.ZERO));
        assertThat(access.authenticate("Bearer " + second.secret(), "c", T0)).isInstanceOf(Granted.class);
        assertThat(directory.tokens()).containsExactly(second.info());
        assertThatThrownBy(() -> directory.revokeToken(first.info().id())).isInstanceOf(AccessException.class)
                .hasMessage("no token " + first.info().id()).extracting(e -> ((AccessException) e).kind()).isEqualTo(Kind.NOT_FOUND);
        assertThatThrownBy(() -> directory.revokeToken(second.secret())).as("a whole token given as an id is not echoed")
                .isInstanceOf(AccessException.class).extracting(Throwable::getMessage).asString()
                .doesNotContain(second.secret()).contains("16 lowercase hex digits");
    }

    @Test
    void removingAUserRevokesItsTokensAndANewUserOfTheSameNameInheritsNone() {
        newCluster();
        directory.addUser("dave", Role.ADMIN);
        directory.addUser("erin", Role.VIEWER);
        IssuedToken daves = directory.createToken("dave", Optional.empty());
        IssuedToken erins = directory.createToken("erin", Optional.empty());
        AccessStore records = new AccessStore(store);
        TokenRecord old = records.token(daves.info().id()).orElseThrow();

        directory.removeUser("dave");

        assertThat(directory.users()).extracting(Directory.User::name).containsExactly("erin");
        assertThat(directory.tokens()).containsExactly(erins.info());
        assertThat(access.authenticate("Bearer " + daves.secret(), "c", T0)).isInstanceOf(Refused.class);
        // A removal whose token deletion did not happen (the DCS went away midway), then the name taken again.
        directory.addUser("dave", Role.ADMIN);
        assertThat(records.createToken(old)).isTrue();
        assertThat(access.authenticate("Bearer " + daves.secret(), "c", T0))
                .isEqualTo(new Refused("unknown or revoked token", Duration.ZERO));
        assertThat(access.authenticate("Bearer " + erins.secret(), "c", T0)).isInstanceOf(Granted.class);
    }

    @Test
    void badTokensAreRefusedWithoutQuotingThemAndSlowedAfterAFew() {
        newCluster();
        directory.addUser("frank", Role.VIEWER);
        IssuedToken real = directory.createToken("frank", Optional.empty());
        String forged = real.secret().substring(0, real.secret().length() - 1) + (real.secret().endsWith("A") ? "B" : "A");

        assertThat(access.authenticate(null, "10.0.0.9", T0)).isEqualTo(new Refused("no token", Duration.ZERO));
        assertThat(access.authenticate("  ", "10.0.0.9", T0)).isEqualTo(new Refused("no token", Duration.ZERO));
        assertThat(access.failedAuthentications()).as("no token guesses nothing").isZero();
        List<AccessDecision> answers = new ArrayList<>();
        answers.add(access.authenticate("Bearer " + forged, "10.0.0.9", T0));
        answers.add(access.authenticate("Basic " + real.secret(), "10.0.0.9", T0));
        answers.add(access.authenticate("Bearer not-a-token", "10.0.0.9", T0));
        answers.add(access.authenticate("Bearer pgh_00000000000000aa_" + "A".repeat(43), "10.0.0.9", T0));
        answers.add(access.authenticate("Bearer " + forged, "10.0.0.9", T0));
        assertThat(answers).extracting(d -> ((Refused) d).reason()).containsExactly("unknown or revoked token",
                "not a bearer token (expected 'Authorization: Bearer <token>')", "unknown or revoked token",
                "unknown or revoked token", "unknown or revoked token");
        assertThat(answers).extracting(d -> ((Refused) d).delay()).containsExactly(Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(answers.toString()).doesNotContain(real.secret().substring(21, 40));
        assertThat(access.authenticate("Bearer " + forged, "10.0.0.10", T0)).as("another client")
                .isEqualTo(new Refused("unknown or revoked token", Duration.ZERO));
        assertThat(access.failedAuthentications()).isEqualTo(6);
        assertThat(access.authenticate("Bearer " + real.secret(), "10.0.0.9", T0)).isInstanceOf(Granted.class);
    }

    @Test
    void requestsThatCannotBeDoneSaySoWithTheirKind() {
        newCluster();
        directory.addUser("grace", Role.OPERATOR);
        assertKind(() -> directory.addUser("grace", Role.ADMIN), Kind.CONFLICT, "user grace exists");
        assertKind(() -> directory.removeUser("nobody"), Kind.NOT_FOUND, "no user nobody");
        assertKind(() -> directory.createToken("nobody", Optional.empty()), Kind.NOT_FOUND, "no user nobody");
        assertKind(() -> directory.addUser("a/b", Role.ADMIN), Kind.INVALID, "a user name is 1 to 63 letters, digits, '_', '.',"
                + " '@' or '-', starting with a letter or digit (got 'a/b')");
        assertKind(() -> directory.addUser("-x", Role.ADMIN), Kind.INVALID, null);
        assertKind(() -> directory.addUser("x".repeat(64), Role.ADMIN), Kind.INVALID, null);
        assertKind(() -> directory.addUser("henry", null), Kind.INVALID, "a user needs a role: viewer, operator or admin");
        assertKind(() -> directory.createToken("grace", Optional.of(T0)), Kind.INVALID,
                "the expiry must be in the future (got 2026-12-07T10:00:00Z, now is 2026-12-07T10:00:00Z)");
        assertThat(directory.users()).containsExactly(new Directory.User("grace", Role.OPERATOR, T0));
        assertThat(directory.tokens()).isEmpty();
    }

    @Test
    void theAuditLogStaysBoundedAndKeepsEveryAppendOfTwoControllersAtOnce() throws Exception {
        newCluster();
        int bound = 20;
        int writers = 4;
        int each = 15;
        List<DcsAuditLog> logs = List.of(new DcsAuditLog(new AccessStore(store), bound),
                new DcsAuditLog(new AccessStore(newStore()), bound));
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            DcsAuditLog log = logs.get(w % 2);
            String user = "writer" + w;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < each; i++) {
                    log.append(new AuditEntry(T0.plusMillis(i), user, "-", "POST /api/v1/pause", "", 200, "entry " + i));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<AuditEntry> kept = logs.get(0).recent(1000);
        assertThat(kept).hasSize(bound);
        assertThat(kept).doesNotHaveDuplicates();
        for (int w = 0; w < writers; w++) {
            String user = "writer" + w;
            List<Integer> mine = kept.stream().filter(e -> e.user().equals(user))
                    .map(e -> Integer.parseInt(e.outcome().substring("entry ".length()))).toList();
            assertThat(mine).as(user + "'s entries, oldest first, with no gap").isSorted();
            if (!mine.isEmpty()) {
                // The kept entries are the newest: of each writer, its last ones.
                assertThat(mine.get(mine.size() - 1)).isEqualTo(each - 1);
                assertThat(mine.get(mine.size() - 1) - mine.get(0)).isEqualTo(mine.size() - 1);
            }
        }
        logs.get(1).append(new AuditEntry(T0.plusSeconds(60), "last", "-", "POST /api/v1/resume", "", 200, "entry 0"));
        kept = logs.get(0).recent(1000);
        assertThat(kept).hasSize(bound);
        assertThat(kept.get(bound - 1).user()).isEqualTo("last");
        assertThat(logs.get(1).recent(3)).containsExactlyElementsOf(kept.subList(bound - 3, bound));
        assertThat(logs.get(1).recent(0)).isEmpty();
    }

    @Test
    void anAuditEntryIsReadBackAsWrittenWithAnyTokenInItHidden() {
        newCluster();
        DcsAuditLog log = new DcsAuditLog(store);
        String token = new TokenSecrets().newToken("0a1b2c3d4e5f6a7b");
        AuditEntry entry = new AuditEntry(T0, "alice", "0a1b2c3d4e5f6a7b", "POST /api/v1/tokens", "bob", 201, "token created");
        log.append(entry);
        log.append(new AuditEntry(T0.plusSeconds(1), "alice", "-", "POST /api/v1/users", token, 400, "bad name " + token));
        List<AuditEntry> read = log.recent(10);
        assertThat(read.get(0)).isEqualTo(entry);
        assertThat(read.get(1).target()).isEqualTo("pgh_0a1b2c3d4e5f6a7b_<hidden>");
        assertThat(read.get(1).outcome()).isEqualTo("bad name pgh_0a1b2c3d4e5f6a7b_<hidden>");
        assertThat(store.dcs().list("/").stream().map(Entry::value)).noneMatch(v -> v.contains(token));
    }

    private static void assertKind(Runnable call, Kind kind, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AccessException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            if (message != null) {
                assertThat(e.getMessage()).isEqualTo(message);
            }
        });
    }
}

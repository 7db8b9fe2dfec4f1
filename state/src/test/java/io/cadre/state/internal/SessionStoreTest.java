package io.cadre.state.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cadre.state.SessionOptions;
import io.cadre.state.internal.redis.RedisServer;
import io.cadre.state.it.StateClient;
import io.cadre.state.testing.TestRedis;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions against a real redis-server, with a clock the test moves: ids, fixation, rotation,
 * idle and absolute expiry, per-field writes, and the rule that a save never brings back a
 * session that another request ended or rotated.
 */
class SessionStoreTest {
    static final long IDLE = 30 * 60_000L;
    static final long ABSOLUTE = 2 * 3_600_000L;

    static RedisServer redis;
    static RedisConnection connection;
    static final MovableClock clock = new MovableClock();
    static SessionStore store;

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.server();
        connection = new RedisConnection(new RedisTarget(redis.uri(), null, redis.password(), null), 1_000);
        store = new SessionStore(connection, SessionOptions.DEFAULTS.withTimeouts(IDLE, ABSOLUTE), clock);
    }

    @AfterAll
    static void stop() {
        if (connection != null) {
            connection.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** One request: a view of the session under {@code cookie}, committed by the caller. */
    static RedisSession request(String cookie) {
        return new RedisSession(store, cookie);
    }

    static String newSession(String name, Object value) {
        RedisSession s = request(null);
        s.put(name, value);
        s.commit();
        return s.id();
    }

    @Test
    void hundredThousandIdsAreUniqueUrlSafeAnd128BitsLong() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = SessionIds.next();
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
            assertThat(SessionIds.wellFormed(id)).isTrue();
            ids.add(id);
        }
        assertThat(ids).hasSize(100_000);
    }

    @Test
    void anIncrementOfAnAttributeThisRequestSetOrRemovedFailsInsteadOfLosingOne() {
        RedisSession first = request(null);
        first.increment("n", 1);
        first.commit();
        RedisSession s = request(first.id());
        s.put("n", 5);
        assertThatThrownBy(() -> s.increment("n", 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("session attribute 'n' was set earlier in this request");
        RedisSession r = request(first.id());
        r.remove("n");
        assertThatThrownBy(() -> r.increment("n", 1)).hasMessageContaining("was removed");
        assertThat(request(first.id()).increment("m", 2)).as("other attributes count as before").isEqualTo(2);
    }

    @Test
    void putOfNullRemovesTheAttributeAndAStoredJsonNullReadsAsAbsentNotAsAFailure() {
        String id = newSession("user", 42L);
        RedisSession s = request(id);
        s.put("user", null);
        assertThat(s.get("user", Long.class)).isEmpty();
        s.commit();
        assertThat(request(id).get("user", Long.class)).isEmpty();
        assertThat(request(id).get("user")).isEmpty();
        // a JSON null written by an older version (or by hand) reads as absent, not as a NullPointerException
        RedisSession old = request(id);
        old.put("legacy", "x");
        old.commit();
        connection.call("test", c -> c.<String, String>getMap(store.key(id), org.redisson.client.codec.StringCodec.INSTANCE)
                .fastPutAsync(SessionStore.ATTRIBUTE + "legacy", "null"));
        assertThat(request(id).get("legacy", Long.class)).isEmpty();
    }

    @Test
    void anUnknownIdIsNeverAdopted() {
        String planted = SessionIds.next(); // well-formed, but this server never issued it
        RedisSession s = request(planted);
        s.put("user", "mallory");
        s.commit();
        assertThat(s.isNew()).isTrue();
        assertThat(s.id()).isNotEqualTo(planted);
        assertThat(s.idChanged()).isTrue();
        assertThat(request(planted).isNew()).isTrue();
        assertThat(request(s.id()).get("user")).contains("mallory");
    }

    @Test
    void aNewSessionThatWasOnlyReadIsNotStoredAndGetsNoCookie() {
        RedisSession anonymous = request(null);
        assertThat(anonymous.get("user")).isEmpty();
        String id = anonymous.id();
        anonymous.commit();
        assertThat(anonymous.discarded()).isTrue();
        assertThat(anonymous.idChanged()).as("no cookie for a session that holds nothing").isFalse();
        assertThat(request(id).isNew()).as("nothing was stored under " + id).isTrue();

        RedisSession writer = request(null);
        writer.get("user");
        writer.put("user", "bob");
        writer.commit();
        assertThat(writer.discarded()).isFalse();
        assertThat(writer.idChanged()).isTrue();
        assertThat(request(writer.id()).get("user")).contains("bob");
    }

    @Test
    void aDeadIdThatIsOnlyReadStaysDeadAndIsNotReplacedByAnEmptySession() {
        String planted = SessionIds.next();
        RedisSession s = request(planted);
        assertThat(s.get("user")).isEmpty();
        s.commit();
        assertThat(s.discarded()).isTrue();
        assertThat(request(planted).isNew()).isTrue();
    }

    @Test
    void aMalformedCookieStartsANewSession() {
        RedisSession s = request("../../etc/passwd");
        assertThat(s.isNew()).isTrue();
        assertThat(SessionIds.wellFormed(s.id())).isTrue();
    }

    @Test
    void regenerateMovesTheAttributesAndKillsTheOldId() {
        String before = newSession("cart", List.of("book"));
        RedisSession login = request(before);
        login.put("user", "alice");
        login.regenerate();
        login.commit();
        String after = login.id();
        assertThat(after).isNotEqualTo(before);
        assertThat(login.idChanged()).isTrue();

        RedisSession old = request(before);
        assertThat(old.isNew()).isTrue();
        assertThat(old.get("user")).isEmpty();
        RedisSession current = request(after);
        assertThat(current.isNew()).isFalse();
        assertThat(current.get("user")).contains("alice");
        assertThat(current.get("cart", List.class)).contains(List.of("book"));
    }

    @Test
    void aRequestThatFailsAfterRegenerateLeavesTheSessionUnderItsOldId() {
        String before = newSession("user", "alice");
        RedisSession failing = request(before);
        failing.regenerate();
        assertThat(failing.get("user")).contains("alice"); // readable before the move
        // the route throws: no commit
        RedisSession next = request(before);
        assertThat(next.isNew()).isFalse();
        assertThat(next.get("user")).contains("alice");
        assertThat(request(failing.id()).isNew()).isTrue();
    }

    @Test
    void anIncrementAfterRegenerateCountsInTheRotatedSession() {
        String before = newSession("n", 5);
        RedisSession s = request(before);
        s.regenerate();
        assertThat(s.increment("n", 1)).isEqualTo(6);
        s.commit();
        assertThat(request(before).isNew()).isTrue();
        assertThat(request(s.id()).get("n")).contains("6");
    }

    @Test
    void aRotationWhoseOldSessionEndedMeanwhileStartsTheNewOneWithItsOwnAge() {
        String id = newSession("user", "alice");
        long moved = 0;
        try {
            // kept alive by a request every 20 minutes until 5 s of its absolute life are left
            for (int i = 0; i < 5; i++) {
                clock.advance(20 * 60_000L);
                moved += 20 * 60_000L;
                RedisSession touch = request(id);
                touch.put("t", i);
                touch.commit();
            }
            clock.advance(ABSOLUTE - moved - 5_000);
            moved = ABSOLUTE - 5_000;
            RedisSession login = request(id);
            assertThat(login.get("user")).contains("alice");
            RedisSession logout = request(id); // another request ends it meanwhile
            logout.invalidate();
            logout.commit();
            login.regenerate();
            login.put("user", "bob");
            login.commit();
            Long ttl = connection.call("test", c -> c.getKeys().remainTimeToLiveAsync(store.key(login.id())));
            assertThat(ttl).as("the new session lives its idle timeout, not the 5 s the ended one had left")
                    .isGreaterThan(IDLE / 2);
            assertThat(request(login.id()).get("user")).contains("bob");
        } finally {
            clock.advance(-moved);
        }
    }

    @Test
    void aSaveWithTheOldIdAfterARotationDoesNotBringItBack() {
        String before = newSession("user", "alice");
        RedisSession slow = request(before);
        assertThat(slow.get("user")).contains("alice"); // loaded before the rotation
        RedisSession login = request(before);
        login.regenerate();
        login.commit();
        slow.put("theme", "dark");
        slow.commit();
        assertThat(request(before).isNew()).isTrue();
    }

    @Test
    void aSaveAfterInvalidateDoesNotBringTheSessionBack() {
        String id = newSession("user", "alice");
        RedisSession slow = request(id);
        assertThat(slow.get("user")).contains("alice");
        RedisSession logout = request(id);
        logout.invalidate();
        logout.commit();
        slow.put("theme", "dark");
        slow.commit();
        assertThat(request(id).isNew()).isTrue();
        // a counter on the ended session goes on in a new one, under a new id
        assertThat(slow.increment("n", 1)).isEqualTo(1);
        assertThat(slow.id()).isNotEqualTo(id);
        assertThat(slow.idChanged()).isTrue();
        assertThat(request(id).isNew()).isTrue();
    }

    @Test
    void theIdleTimeoutSlidesWithUse() {
        String id = newSession("user", "alice");
        for (int i = 0; i < 3; i++) {
            clock.advance(IDLE - 60_000); // 3 x 29 min: past the idle timeout in total (within the absolute one), never idle that long
            RedisSession s = request(id);
            assertThat(s.isNew()).as("used after %d min", (i + 1) * 29).isFalse();
            s.commit();
        }
        clock.advance(IDLE);
        assertThat(request(id).isNew()).isTrue();
    }

    @Test
    void theAbsoluteTimeoutEndsEvenABusySession() {
        String id = newSession("user", "alice");
        long used = 0;
        while (used + IDLE / 2 < ABSOLUTE) {
            clock.advance(IDLE / 2);
            used += IDLE / 2;
            RedisSession s = request(id);
            assertThat(s.isNew()).isFalse();
            s.commit();
        }
        clock.advance(ABSOLUTE - used);
        RedisSession late = request(id);
        assertThat(late.isNew()).isTrue();
        assertThat(late.id()).isNotEqualTo(id);
    }

    @Test
    void twoRequestsChangingDifferentAttributesBothKeepTheirChange() {
        String id = newSession("a", 0);
        RedisSession first = request(id);
        RedisSession second = request(id);
        assertThat(first.get("a")).contains("0");
        assertThat(second.get("a")).contains("0");
        first.put("a", 1);
        second.put("b", 2);
        first.commit();
        second.commit();
        RedisSession after = request(id);
        assertThat(after.get("a")).contains("1");
        assertThat(after.get("b")).contains("2");
    }

    @Test
    void removedAttributesAreGoneAndOthersStay() {
        String id = newSession("a", 1);
        RedisSession s = request(id);
        s.put("b", 2);
        s.commit();
        RedisSession r = request(id);
        r.remove("a");
        r.commit();
        RedisSession after = request(id);
        assertThat(after.get("a")).isEmpty();
        assertThat(after.get("b")).contains("2");
    }

    @Test
    void incrementIsAtomicAcrossConcurrentRequests() throws Exception {
        String id = newSession("n", 0);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        RedisSession s = request(id);
                        s.increment("n", 1);
                        s.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(request(id).get("n")).contains("800");
    }

    @Test
    void aCounterOnAKnownSessionChecksItsExpiryInTheSameCall() {
        String id = newSession("n", 0);
        RedisSession s = request(id);
        assertThat(s.increment("n", 2)).isEqualTo(2);
        s.commit();
        assertThat(s.isNew()).isFalse();
        assertThat(s.id()).isEqualTo(id);
        clock.advance(IDLE - 60_000);
        RedisSession later = request(id);
        assertThat(later.increment("n", 1)).as("within the idle timeout, renewed by the last counter").isEqualTo(3);
        later.commit();
        clock.advance(IDLE);
        RedisSession expired = request(id);
        assertThat(expired.increment("n", 1)).as("an expired session starts over").isEqualTo(1);
        assertThat(expired.id()).isNotEqualTo(id);
        assertThat(expired.idChanged()).isTrue();
        expired.commit();
        assertThat(request(expired.id()).get("n")).contains("1");
        RedisSession planted = request(SessionIds.next());
        assertThat(planted.increment("n", 5)).isEqualTo(5);
        assertThat(planted.isNew()).isTrue();
    }

    @Test
    void invalidateDeletesTheSession() {
        String id = newSession("user", "alice");
        RedisSession s = request(id);
        s.invalidate();
        s.commit();
        assertThat(s.invalidated()).isTrue();
        assertThat(request(id).isNew()).isTrue();
    }

    @Test
    void anUntouchedRequestWritesNothing() throws Exception {
        // a touched request first: it warms the connection up, and shows the count sees this store's writes
        long cold = StateClient.dataCalls(redis);
        newSession("warm", 1);
        long before = StateClient.dataCalls(redis);
        assertThat(before - cold).as("data commands for a request that created a session").isPositive();
        RedisSession s = request(null);
        s.commit();
        assertThat(s.touched()).isFalse();
        assertThat(StateClient.dataCalls(redis) - before).as("Redis data commands for a request that touched no session: "
                + StateClient.commandCalls(redis)).isZero();
    }

    /** A clock the test moves forward; starts at the real time so Redis TTLs stay sensible. */
    static final class MovableClock extends Clock {
        private final AtomicLong offset = new AtomicLong();

        void advance(long millis) {
            offset.addAndGet(millis);
        }

        @Override
        public long millis() {
            return System.currentTimeMillis() + offset.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}

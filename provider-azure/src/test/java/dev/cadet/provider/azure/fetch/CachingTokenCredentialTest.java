package dev.cadet.provider.azure.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CachingTokenCredentialTest {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T12:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    final AtomicInteger issued = new AtomicInteger();
    final CachingTokenCredential cached = new CachingTokenCredential(request -> reactor.core.publisher.Mono.just(
            new AccessToken("t" + issued.incrementAndGet(), OffsetDateTime.ofInstant(now.get(), ZoneOffset.UTC).plusHours(1))), clock);
    final TokenRequestContext graph = new TokenRequestContext().addScopes("https://graph.microsoft.com/.default");

    @Test
    void reusesATokenUntilFiveMinutesBeforeExpiryThenRefreshes() {
        assertEquals("t1", cached.getTokenSync(graph).getToken());
        now.set(now.get().plus(Duration.ofMinutes(54)));
        assertEquals("t1", cached.getTokenSync(graph).getToken());
        now.set(now.get().plus(Duration.ofMinutes(2)));
        assertEquals("t2", cached.getTokenSync(graph).getToken(), "inside the 5 minute margin");
        assertEquals(2, cached.fetches());
    }

    @Test
    void invalidateAndOtherClaimsFetchAgain() {
        assertEquals("t1", cached.getTokenSync(graph.setClaims("{\"cp1\":1}")).getToken());
        assertEquals("t1", cached.getTokenSync(new TokenRequestContext().addScopes("https://graph.microsoft.com/.default").setClaims("{\"cp1\":1}")).getToken());
        assertEquals("t2", cached.getTokenSync(new TokenRequestContext().addScopes("https://graph.microsoft.com/.default").setClaims("{\"challenge\":2}")).getToken());
        cached.invalidate();
        assertEquals("t3", cached.getTokenSync(graph).getToken());
    }
}

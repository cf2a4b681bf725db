package dev.cadet.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.QuotaScope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaLimitersTest {
    static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

    final FakeClock clock = new FakeClock(T);
    final QuotaLimiters quotas = new QuotaLimiters(clock, clock.sleeper());

    private List<Instant> grants(QuotaScope scope, int n) throws InterruptedException {
        List<Instant> at = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            quotas.acquire(scope);
            at.add(clock.instant());
        }
        return at;
    }

    @Test
    void backToBackRequestsGetTheAllowedRateAndNeverMore() throws InterruptedException {
        for (double rate : new double[] {2.0, 3.0, 0.5, 12.0}) {
            QuotaScope scope = new QuotaScope("scope-" + rate, rate);
            List<Instant> at = grants(scope, 200);
            Duration interval = Duration.ofNanos((long) Math.ceil(1e9 / rate));
            for (int i = 1; i < at.size(); i++) {
                Duration gap = Duration.between(at.get(i - 1), at.get(i));
                assertTrue(gap.compareTo(Duration.ofNanos((long) (1e9 / rate))) >= 0, rate + "/s: gap " + gap);
            }
            double seconds = Duration.between(at.get(0), at.get(at.size() - 1)).toNanos() / 1e9;
            double achieved = (at.size() - 1) / seconds;
            assertTrue(achieved <= rate, rate + "/s exceeded: " + achieved);
            assertTrue(achieved >= 0.95 * rate, rate + "/s: only " + achieved);
            assertEquals(interval.multipliedBy(199), Duration.between(at.get(0), at.get(199)));
        }
    }

    @Test
    void streamsWithTheSameScopeKeyShareOneLimiterAndOtherKeysDoNotWait() throws InterruptedException {
        QuotaScope streamA = new QuotaScope("aws/111122223333/us-east-1", 2.0);
        QuotaScope streamB = new QuotaScope("aws/111122223333/us-east-1", 2.0);
        QuotaScope other = new QuotaScope("aws/444455556666/us-east-1", 2.0);
        quotas.acquire(streamA);
        Instant first = clock.instant();
        quotas.acquire(streamB);
        assertEquals(first.plusMillis(500), clock.instant(), "the second stream waits for the shared slot");
        quotas.acquire(other);
        assertEquals(first.plusMillis(500), clock.instant(), "another scope has its own budget");
    }

    @Test
    void aPauseDoesNotBankABurst() throws InterruptedException {
        QuotaScope scope = new QuotaScope("s", 2.0);
        quotas.acquire(scope);
        clock.advance(Duration.ofSeconds(10));
        Instant resumed = clock.instant();
        quotas.acquire(scope);
        assertEquals(resumed, clock.instant(), "first request after a pause goes at once");
        quotas.acquire(scope);
        assertEquals(resumed.plusMillis(500), clock.instant(), "but the next one is spaced again");
    }

    @Test
    void aLateWakeUpPushesTheNextPermitBackSoRequestsNeverComeCloser() throws InterruptedException {
        // every sleep ends 70 ms after it should, as on a busy machine
        QuotaLimiters late = new QuotaLimiters(clock, d -> clock.advance(d.plusMillis(70)));
        QuotaScope scope = new QuotaScope("s", 2.0);
        late.acquire(scope);
        Instant first = clock.instant();
        late.acquire(scope);
        Instant second = clock.instant();
        assertEquals(first.plusMillis(570), second, "the slot was at +500 ms, the sleeper woke at +570 ms");
        clock.advance(Duration.ofMillis(10)); // the request takes 10 ms
        late.acquire(scope);
        assertEquals(second.plusMillis(570), clock.instant(), "500 ms after the permit was taken, not after its slot");
    }

    @Test
    void aSlotAlreadyPastIsTakenAtOnceAndTheNextIsSpacedFromThatMoment() throws InterruptedException {
        QuotaScope scope = new QuotaScope("s", 2.0);
        quotas.acquire(scope);
        Instant first = clock.instant();
        clock.advance(Duration.ofMillis(620));
        quotas.acquire(scope);
        Instant late = clock.instant();
        assertEquals(first.plusMillis(620), late, "a slot already past is taken at once");
        quotas.acquire(scope);
        assertEquals(late.plusMillis(500), clock.instant());
    }
}

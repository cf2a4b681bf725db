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

    /** At 2/s: 500 ms plus the 1 % margin for the jitter between our send and the service's arrival. */
    static final Duration SPACING_AT_2 = Duration.ofMillis(505);

    @Test
    void backToBackRequestsGetTheAllowedRateLessTheMarginAndNeverMore() throws InterruptedException {
        for (double rate : new double[] {2.0, 3.0, 0.5, 12.0}) {
            QuotaScope scope = new QuotaScope("scope-" + rate, rate);
            List<Instant> at = grants(scope, 200);
            Duration spacing = Duration.between(at.get(0), at.get(1));
            for (int i = 1; i < at.size(); i++) {
                assertEquals(spacing, Duration.between(at.get(i - 1), at.get(i)), rate + "/s: every gap is the spacing");
            }
            assertTrue(spacing.toNanos() >= 1e9 / rate, rate + "/s: spacing " + spacing + " is shorter than 1/rate");
            assertTrue(spacing.toNanos() <= 1.0101 * 1e9 / rate, rate + "/s: spacing " + spacing + " is more than 1/rate + 1 %");
            double seconds = Duration.between(at.get(0), at.get(at.size() - 1)).toNanos() / 1e9;
            double achieved = (at.size() - 1) / seconds;
            assertTrue(achieved <= rate, rate + "/s exceeded: " + achieved);
            assertTrue(achieved >= 0.98 * rate, rate + "/s: only " + achieved);
        }
        assertEquals(SPACING_AT_2, Duration.between(grants(new QuotaScope("two", 2.0), 2).get(0), clock.instant()));
    }

    @Test
    void streamsWithTheSameScopeKeyShareOneLimiterAndOtherKeysDoNotWait() throws InterruptedException {
        QuotaScope streamA = new QuotaScope("aws/111122223333/us-east-1", 2.0);
        QuotaScope streamB = new QuotaScope("aws/111122223333/us-east-1", 2.0);
        QuotaScope other = new QuotaScope("aws/444455556666/us-east-1", 2.0);
        quotas.acquire(streamA);
        Instant first = clock.instant();
        quotas.acquire(streamB);
        assertEquals(first.plus(SPACING_AT_2), clock.instant(), "the second stream waits for the shared slot");
        quotas.acquire(other);
        assertEquals(first.plus(SPACING_AT_2), clock.instant(), "another scope has its own budget");
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
        assertEquals(resumed.plus(SPACING_AT_2), clock.instant(), "but the next one is spaced again");
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
        assertEquals(first.plusMillis(575), second, "the slot was at +505 ms, the sleeper woke at +575 ms");
        clock.advance(Duration.ofMillis(10)); // the request takes 10 ms
        late.acquire(scope);
        assertEquals(second.plusMillis(575), clock.instant(), "505 ms after the permit was taken, not after its slot");
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
        assertEquals(late.plus(SPACING_AT_2), clock.instant());
    }

    @Test
    void aRequestSentAfterItsPermitSpacesTheNextPermitFromItsSend() throws InterruptedException {
        QuotaScope scope = new QuotaScope("s", 2.0);
        QuotaLimiters.Permit firstPermit = quotas.acquire(scope);
        Instant first = clock.instant();
        clock.advance(Duration.ofMillis(35)); // the SDK's first use, between the permit and the send
        firstPermit.sent();
        clock.advance(Duration.ofMillis(12)); // the answer
        quotas.acquire(scope);
        assertEquals(first.plusMillis(35).plus(SPACING_AT_2), clock.instant(),
                "spaced from the send: at the service, the two requests are a full spacing apart");
        Instant second = clock.instant();
        quotas.acquire(scope);
        assertEquals(second.plus(SPACING_AT_2), clock.instant(), "a request that reports no send is spaced from its permit");
    }

    @Test
    void aSendReportedLaterThanTheNextSlotDelaysThatSlot() throws InterruptedException {
        // e.g. a GC pause: the request leaves 600 ms after its permit, later than the next slot would have been
        QuotaScope scope = new QuotaScope("s", 2.0);
        QuotaLimiters.Permit first = quotas.acquire(scope);
        Instant start = clock.instant();
        clock.advance(Duration.ofMillis(600));
        first.sent();
        first.sent(); // reported twice: the latest counts, and this one is no later
        quotas.acquire(scope);
        assertEquals(start.plusMillis(600).plus(SPACING_AT_2), clock.instant());
    }

    @Test
    void aLateSendOfAnEarlierPermitStillPushesTheNextPermit() throws InterruptedException {
        // two streams of one scope: the first permit's request leaves after the second permit was taken
        QuotaScope scope = new QuotaScope("s", 2.0);
        QuotaLimiters.Permit first = quotas.acquire(scope);
        Instant start = clock.instant();
        QuotaLimiters.Permit second = quotas.acquire(scope);
        assertEquals(start.plus(SPACING_AT_2), clock.instant());
        second.sent();
        clock.advance(Duration.ofMillis(20));
        first.sent();
        quotas.acquire(scope);
        assertEquals(start.plus(SPACING_AT_2).plusMillis(20).plus(SPACING_AT_2), clock.instant(),
                "spaced from the latest send known, whichever permit it was under");
    }
}

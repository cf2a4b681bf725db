package dev.cadet.provider.gcp.fetch;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Google APIs' clock, read from the {@code Date} header of every answer, as the o365 provider reads
 * the Management Activity API's:
 * <ul>
 *   <li>a difference of more than {@link #SKEW_WORTH_LOGGING} from our clock is logged once (check NTP);</li>
 *   <li>a window that ends later than the server's now minus the stream's settle lag, by more than
 *       {@link #SKEW_WORTH_LOGGING}, fails with {@link CollectorException.Kind#CLOCK_SKEW} and the measured
 *       skew: the host then moves its window ends by it and reads the window again.</li>
 * </ul>
 * o365 learns of a fast clock when the API refuses the time range (AF20030/AF20055). Google does not
 * refuse such a window (Cloud Logging answers the future with nothing), so the window is checked here;
 * otherwise a fast local clock would read past what the server has settled. Once the host has
 * corrected its windows they end at the server's now minus the settle lag and pass. Thread-safe.
 */
final class ApiClock {
    /** The same threshold as the o365 provider's. */
    static final Duration SKEW_WORTH_LOGGING = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(ApiClock.class);

    private final Clock clock;
    private final String clientEmail;
    private final AtomicBoolean skewLogged = new AtomicBoolean();

    /** @param clientEmail the service account, for the log line */
    ApiClock(Clock clock, String clientEmail) {
        this.clock = clock;
        this.clientEmail = clientEmail;
    }

    /**
     * Checks one answer's {@code Date} header (absent or unreadable: nothing to check).
     *
     * @throws CollectorException CLOCK_SKEW when {@code window} reaches past what the server has settled
     */
    void check(Api api, Optional<String> date, StreamSpec stream, Window window) throws CollectorException {
        Optional<Instant> server = date.flatMap(ApiClock::httpDate);
        if (server.isEmpty()) {
            return;
        }
        Duration skew = Duration.between(clock.instant(), server.get());
        if (skew.abs().compareTo(SKEW_WORTH_LOGGING) > 0 && skewLogged.compareAndSet(false, true)) {
            LOG.warn("{}'s clock (Date header) differs from ours by {} for {}; check NTP", api.title, skew, clientEmail);
        }
        Instant settled = server.get().minus(stream.settleLag());
        if (Duration.between(settled, window.end()).compareTo(SKEW_WORTH_LOGGING) > 0) {
            throw CollectorException.clockSkew(api.title + " for " + stream.key() + ": window " + window
                    + " ends after the server's now (" + server.get() + ") minus the settle lag of " + stream.settleLag()
                    + "; the server's clock differs from ours by " + skew, skew, null);
        }
    }

    private static Optional<Instant> httpDate(String text) {
        try {
            return Optional.of(ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}

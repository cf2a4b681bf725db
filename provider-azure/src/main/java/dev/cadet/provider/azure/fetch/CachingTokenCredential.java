package dev.cadet.provider.azure.fetch;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Keeps the last token per (scopes, claims) and hands it out until shortly before it expires.
 * azure-identity fetches a new token for every Graph request (SDK spike): the Graph SDK asks with CAE
 * client-capability claims, and MSAL does not serve a request with claims from its cache. That would
 * double our requests and hit the login endpoint's limits; this wrapper asks the real credential only
 * when needed.
 *
 * <p>A token is refreshed at its {@code refreshAt} if the server gave one, else {@link #MARGIN} before
 * expiry (or at half its life for tokens shorter than twice the margin). {@link #invalidate()} drops
 * every cached token: the source calls it on a 401 so the retry signs in again. Thread-safe.
 */
public final class CachingTokenCredential implements TokenCredential {
    static final Duration MARGIN = Duration.ofMinutes(5);

    private final TokenCredential delegate;
    private final Clock clock;
    private final Map<List<String>, Cached> cache = new HashMap<>();
    private long fetches;

    private record Cached(AccessToken token, OffsetDateTime refreshAt) {
    }

    public CachingTokenCredential(TokenCredential delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public synchronized AccessToken getTokenSync(TokenRequestContext request) {
        // Keyed by scopes and claims: the Graph SDK always sends its client-capability claims (CAE "CP1"),
        // and with claims MSAL skips its own cache (hence a token request per Graph request); a claims
        // challenge after a revocation carries other claims and so gets a fresh token.
        List<String> key = new ArrayList<>(request.getScopes());
        key.add("claims=" + request.getClaims());
        OffsetDateTime now = OffsetDateTime.now(clock);
        Cached c = cache.get(key);
        if (c != null && now.isBefore(c.refreshAt())) {
            return c.token();
        }
        AccessToken fresh = delegate.getTokenSync(request);
        fetches++;
        cache.put(key, new Cached(fresh, refreshAt(fresh, now)));
        return fresh;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> getTokenSync(request));
    }

    /** Forgets every cached token; the next request signs in again. */
    public synchronized void invalidate() {
        cache.clear();
    }

    /** How many tokens were fetched from the real credential (for tests and health). */
    public synchronized long fetches() {
        return fetches;
    }

    private static OffsetDateTime refreshAt(AccessToken token, OffsetDateTime now) {
        // A refreshAt in the past (as azure-identity may set) would mean "refresh on every call".
        if (token.getRefreshAt() != null && token.getRefreshAt().isAfter(now)
                && token.getRefreshAt().isBefore(token.getExpiresAt())) {
            return token.getRefreshAt();
        }
        Duration life = Duration.between(now, token.getExpiresAt());
        Duration early = life.compareTo(MARGIN.multipliedBy(2)) < 0 ? life.dividedBy(2) : MARGIN;
        return token.getExpiresAt().minus(early);
    }
}

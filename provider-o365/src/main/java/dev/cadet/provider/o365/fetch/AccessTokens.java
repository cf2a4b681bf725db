package dev.cadet.provider.o365.fetch;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.okhttp.OkHttpAsyncHttpClientBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import dev.cadet.collector.CollectorException;
import dev.cadet.provider.o365.config.O365Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import okhttp3.OkHttpClient;

/**
 * Bearer tokens for the activity feed, from azure-identity (client secret or certificate) through its
 * okhttp transport, which trusts {@link TrustedCertificates}. A token is kept until {@link #REFRESH_BEFORE}
 * its expiry (azure-identity did not cache for a non-Microsoft authority in our tests) or until
 * {@link #invalidate} after the API refused it. Thread-safe.
 */
final class AccessTokens {
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

    private final OkHttpClient ok;
    private final TokenCredential credential;
    private final TokenRequestContext request;
    private final String who;
    private final Clock clock;
    private AccessToken cached;
    private long issued;

    AccessTokens(O365Settings settings, TrustedCertificates trust, Clock clock) {
        ok = new OkHttpClient.Builder()
                .sslSocketFactory(trust.sslContext().getSocketFactory(), trust.trustManager())
                .connectTimeout(Duration.ofSeconds(10)).readTimeout(Duration.ofSeconds(30)).build();
        com.azure.core.http.HttpClient http = new OkHttpAsyncHttpClientBuilder(ok).build();
        String authority = settings.authorityHost().toString();
        if (settings.credentials() instanceof O365Settings.ClientSecret s) {
            credential = new ClientSecretCredentialBuilder().tenantId(settings.tenantId()).clientId(s.clientId())
                    .clientSecret(s.secret().reveal()).authorityHost(authority).httpClient(http)
                    .disableInstanceDiscovery().build();
        } else {
            O365Settings.ClientCertificate c = (O365Settings.ClientCertificate) settings.credentials();
            ClientCertificateCredentialBuilder b = new ClientCertificateCredentialBuilder().tenantId(settings.tenantId())
                    .clientId(c.clientId()).authorityHost(authority).httpClient(http).disableInstanceDiscovery();
            String name = c.path().getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (name.endsWith(".pfx") || name.endsWith(".p12")) {
                b.pfxCertificate(c.path().toString());
                if (c.password() != null) {
                    b.clientCertificatePassword(c.password().reveal());
                }
            } else {
                b.pemCertificate(c.path().toString());
            }
            credential = b.build();
        }
        this.request = new TokenRequestContext().addScopes(settings.tokenScope());
        this.who = "app " + settings.credentials().clientId() + " of tenant " + settings.tenantId();
        this.clock = clock;
    }

    /** A valid token, fetched when none is cached or the cached one is about to expire. */
    synchronized String token() throws CollectorException {
        Instant now = clock.instant();
        if (cached == null || !cached.getExpiresAt().toInstant().isAfter(now.plus(REFRESH_BEFORE))) {
            cached = fetch();
            issued++;
        }
        return cached.getToken();
    }

    /** Drops the cached token, after the API answered 401. */
    synchronized void invalidate() {
        cached = null;
    }

    /** How many tokens were fetched, for tests and logs. */
    synchronized long issued() {
        return issued;
    }

    /** Stops okhttp's threads and connections, before the plugin's class loader goes away. */
    void close() {
        ok.dispatcher().executorService().shutdown();
        ok.connectionPool().evictAll();
    }

    private AccessToken fetch() throws CollectorException {
        try {
            AccessToken t = credential.getTokenSync(request);
            if (t == null || t.getToken() == null) {
                throw CollectorException.retry("the token endpoint gave no token for " + who, null, null);
            }
            return t;
        } catch (ClientAuthenticationException e) {
            if (isNetwork(e)) {
                return retry(e);
            }
            // Never the secret: azure-identity's messages name the tenant, the client and the AADSTS code.
            throw CollectorException.fatal("the token endpoint refused " + who + ": " + firstLine(e.getMessage())
                    + "; check tenant_id, client_id and the client secret or certificate", e);
        } catch (RuntimeException e) {
            return retry(e);
        }
    }

    private AccessToken retry(RuntimeException e) throws CollectorException {
        throw CollectorException.retry("could not get a token for " + who + ": " + firstLine(e.getMessage()), null, e);
    }

    private static boolean isNetwork(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}

package dev.cadet.provider.azure.fetch;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.okhttp.OkHttpAsyncHttpClientBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.microsoft.graph.core.authentication.AzureIdentityAuthenticationProvider;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import dev.cadet.provider.azure.config.AzureSettings;
import dev.cadet.provider.azure.config.AzureSettingsReader;
import dev.cadet.provider.azure.config.CredentialSettings;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import okhttp3.OkHttpClient;

/**
 * The Graph SDK client of one tenant: its credential (wrapped in a {@link CachingTokenCredential}),
 * an auth provider that sends the token to the configured Graph host only, and the Graph base URL.
 *
 * <p>Requests are built fresh for every attempt (the auth provider writes the Authorization header
 * into the request), carry a {@link RetryHandlerOption} that turns the SDK's retries off, and return
 * the raw JSON body so records are handed over exactly as Graph sent them.
 */
final class TenantClient implements AutoCloseable {
    /** The SDK must not retry: the host paces and retries through {@code FetchContext.call}. */
    private static final RetryHandlerOption NO_RETRY = new RetryHandlerOption((delay, attempt, request, response) -> false, 0, 0);
    private static final HashMap<String, ParsableFactory<? extends Parsable>> ERRORS = new HashMap<>();

    static {
        ERRORS.put("XXX", ODataError::createFromDiscriminatorValue);
    }

    final String tenant;
    final String graphHost;
    final CachingTokenCredential credential;
    private final GraphServiceClient graph;
    private final OkHttpClient graphHttp;
    private final OkHttpClient loginHttp;

    TenantClient(AzureSettings settings, AzureSettings.Tenant tenant, Clock clock) {
        this.tenant = tenant.id();
        this.loginHttp = TrustedCertificates.apply(new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofSeconds(60)), settings.caCertificates()).build();
        HttpClient identityHttp = new OkHttpAsyncHttpClientBuilder(loginHttp).build();
        this.credential = new CachingTokenCredential(credential(settings, tenant, identityHttp), clock);
        URI base = settings.graphBaseUrl();
        this.graphHost = base.getHost().toLowerCase(Locale.ROOT);
        AzureIdentityAuthenticationProvider auth = new AzureIdentityAuthenticationProvider(
                credential, new String[]{graphHost}, settings.graphScope());
        this.graphHttp = TrustedCertificates.apply(GraphClientFactory.create()
                .connectTimeout(Duration.ofSeconds(10)).readTimeout(Duration.ofSeconds(100)), settings.caCertificates()).build();
        this.graph = new GraphServiceClient(auth, graphHttp);
        String url = base.toString();
        graph.getRequestAdapter().setBaseUrl(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /** The first page's request: {@code $filter} and {@code $top} as given. */
    RequestInformation firstPage(String filter, int top) {
        return graph.auditLogs().directoryAudits().toGetRequestInformation(c -> {
            c.queryParameters.filter = filter;
            c.queryParameters.top = top;
            c.options.add(NO_RETRY);
        });
    }

    /** A request for an {@code @odata.nextLink}, used verbatim. */
    RequestInformation nextPage(String nextLink) {
        return graph.auditLogs().directoryAudits().withUrl(nextLink)
                .toGetRequestInformation(c -> c.options.add(NO_RETRY));
    }

    /** Sends the request; the caller must close the body. Throws the SDK's exceptions. */
    InputStream send(RequestInformation request) {
        return graph.getRequestAdapter().sendPrimitive(request, ERRORS, InputStream.class);
    }

    @Override
    public void close() {
        for (OkHttpClient c : new OkHttpClient[]{graphHttp, loginHttp}) {
            c.dispatcher().executorService().shutdown();
            c.connectionPool().evictAll();
        }
    }

    private static TokenCredential credential(AzureSettings settings, AzureSettings.Tenant tenant, HttpClient http) {
        String authority = settings.authorityHost().toString();
        // MSAL asks login.microsoftonline.com about any other authority ("instance discovery"): an
        // overridden login endpoint (air-gapped, stand-in) must not make cadet call the public one.
        boolean discover = settings.authorityHost().equals(AzureSettingsReader.DEFAULT_AUTHORITY);
        CredentialSettings c = tenant.credentials();
        if (c instanceof CredentialSettings.ClientSecret s) {
            ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder().tenantId(tenant.id()).clientId(s.clientId())
                    .clientSecret(s.secret().reveal()).authorityHost(authority).httpClient(http);
            return (discover ? b : b.disableInstanceDiscovery()).build();
        }
        if (c instanceof CredentialSettings.ClientCertificate cert) {
            ClientCertificateCredentialBuilder b = new ClientCertificateCredentialBuilder().tenantId(tenant.id())
                    .clientId(cert.clientId()).authorityHost(authority).httpClient(http);
            if (!discover) {
                b.disableInstanceDiscovery();
            }
            String path = cert.certificatePath().toString();
            String name = cert.certificatePath().getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".pfx") || name.endsWith(".p12")) {
                b.pfxCertificate(path);
            } else {
                b.pemCertificate(path);
            }
            if (cert.password() != null) {
                b.clientCertificatePassword(cert.password().reveal());
            }
            return b.build();
        }
        if (c instanceof CredentialSettings.ManagedIdentity mi) {
            ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder().httpClient(http);
            if (mi.clientId() != null) {
                b.clientId(mi.clientId());
            }
            return b.build();
        }
        CredentialSettings.WorkloadIdentity wi = (CredentialSettings.WorkloadIdentity) c;
        WorkloadIdentityCredentialBuilder b = new WorkloadIdentityCredentialBuilder().tenantId(tenant.id())
                .authorityHost(authority).httpClient(http);
        if (wi.clientId() != null) {
            b.clientId(wi.clientId());
        }
        Path file = wi.tokenFilePath();
        if (file != null) {
            b.tokenFilePath(file.toString());
        }
        if (!discover) {
            b.disableInstanceDiscovery();
        }
        return b.build();
    }
}

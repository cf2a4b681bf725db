package dev.cadet.provider.azure.config;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code providers.azure[i]} entry. Every problem is recorded on the {@link ProviderConfig} with
 * its full path, so {@code cadet check-config} lists them all; nothing here throws.
 *
 * <pre>
 * tenant_id: 00000000-0000-0000-0000-000000000000      # one tenant, or:
 * tenants:                                             # several, each may bring its own credentials
 *   - id: 00000000-0000-0000-0000-000000000000
 *     credentials: {...}                               # optional, else the entry's
 * credentials:                                         # exactly one of:
 *   client_secret: {client_id: APP-ID, secret: ${env:GRAPH_SECRET}}
 *   client_certificate: {client_id: APP-ID, certificate_path: /etc/cadet/app.pem, certificate_password: ${file:/x}}
 *   managed_identity: {client_id: UAMI-ID}             # client_id optional (system-assigned)
 *   workload_identity: {client_id: APP-ID, token_file_path: /var/run/secrets/azure/tokens/azure-identity-token}
 * authority_host: https://login.microsoftonline.com    # login endpoint override (https only)
 * graph_base_url: https://graph.microsoft.com/v1.0     # Graph override; its host gets the token
 * graph_scope: https://graph.microsoft.com/.default    # default: derived from graph_base_url's host
 * activity_names: ["Add user", "Add service principal"] # optional server-side filter
 * requests_per_10s: 5                                  # per (app, tenant), at most 5
 * retention: 7d                                        # 7d (Entra Free) or 30d (P1/P2)
 * ca_certificates: /etc/cadet/proxy-ca.pem             # extra trusted CAs (TLS-inspecting proxy, tests)
 * </pre>
 */
public final class AzureSettingsReader {

    public static final URI DEFAULT_AUTHORITY = URI.create("https://login.microsoftonline.com");
    public static final URI DEFAULT_GRAPH = URI.create("https://graph.microsoft.com/v1.0");
    /** Graph's "identity and access reports" limit: 5 requests per 10 s per app per tenant. */
    public static final int MAX_REQUESTS_PER_10S = 5;
    /** Entra Free keeps audit logs 7 days; P1/P2 30 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration MAX_RETENTION = Duration.ofDays(30);
    /** Hosts that are Graph itself in the public and national clouds: their own {@code /.default} scope. */
    private static final Set<String> GRAPH_HOSTS = Set.of("graph.microsoft.com", "graph.microsoft.us",
            "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn");

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final List<String> CREDENTIAL_KINDS =
            List.of("client_secret", "client_certificate", "managed_identity", "workload_identity");

    private AzureSettingsReader() {
    }

    /** The settings, or empty when a problem was recorded that leaves nothing sensible to build. */
    public static Optional<AzureSettings> read(ProviderConfig config) {
        CredentialSettings shared = config.has("credentials")
                ? config.object("credentials").map(AzureSettingsReader::credentials).orElse(null) : null;
        List<AzureSettings.Tenant> tenants = tenants(config, shared);
        URI authority = authority(config);
        URI graph = config.uri("graph_base_url").orElse(DEFAULT_GRAPH);
        String scope = config.string("graph_scope").orElse(defaultScope(graph));
        List<String> activities = activityNames(config);
        int budget = config.integer("requests_per_10s", MAX_REQUESTS_PER_10S, 1, MAX_REQUESTS_PER_10S);
        Duration retention = retention(config);
        Path ca = caCertificates(config);
        if (!config.problems().stream().allMatch(p -> p.endsWith(": unknown key"))) {
            return Optional.empty();
        }
        return Optional.of(new AzureSettings(tenants, authority, graph, scope, activities, budget, retention, ca));
    }

    /** {@code https://<graph host>/.default} for Graph in any cloud; the public cloud's for anything else (a stand-in). */
    static String defaultScope(URI graph) {
        String host = graph.getHost() == null ? "" : graph.getHost().toLowerCase(Locale.ROOT);
        return GRAPH_HOSTS.contains(host) ? "https://" + host + "/.default" : "https://graph.microsoft.com/.default";
    }

    private static List<AzureSettings.Tenant> tenants(ProviderConfig config, CredentialSettings shared) {
        boolean one = config.has("tenant_id");
        boolean many = config.has("tenants");
        if (one && many) {
            config.problem("tenants", "give either tenant_id or tenants, not both");
            return List.of();
        }
        if (!one && !many) {
            config.problem("tenant_id", "missing: give tenant_id: <directory id> or tenants: [{id: <directory id>}]");
            return List.of();
        }
        List<AzureSettings.Tenant> out = new ArrayList<>();
        if (one) {
            String id = tenantId(config, "tenant_id");
            CredentialSettings c = requireCredentials(config, shared, null);
            if (id != null && c != null) {
                out.add(new AzureSettings.Tenant(id, c));
            }
            return out;
        }
        List<ProviderConfig> entries = config.objects("tenants");
        Set<String> seen = new HashSet<>();
        for (ProviderConfig entry : entries) {
            String id = tenantId(entry, "id");
            if (id != null && !seen.add(id)) {
                entry.problem("id", "tenant " + id + " is listed twice");
                id = null;
            }
            CredentialSettings own = entry.has("credentials")
                    ? entry.object("credentials").map(AzureSettingsReader::credentials).orElse(null) : null;
            CredentialSettings c = own != null ? own : requireCredentials(config, shared, entry);
            if (id != null && c != null) {
                out.add(new AzureSettings.Tenant(id, c));
            }
        }
        if (entries.isEmpty() && config.problems().stream().noneMatch(p -> p.startsWith(config.path() + ".tenants"))) {
            config.problem("tenants", "list at least one tenant, e.g. tenants: [{id: 00000000-0000-0000-0000-000000000000}]");
        }
        return out;
    }

    private static String tenantId(ProviderConfig config, String key) {
        String id = config.requireString(key);
        if (id != null && !GUID.matcher(id).matches()) {
            config.problem(key, "a tenant (directory) id is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, got \""
                    + id + "\" (Entra admin center > Overview > Tenant ID)");
            return null;
        }
        return id == null ? null : id.toLowerCase(Locale.ROOT);
    }

    private static CredentialSettings requireCredentials(ProviderConfig config, CredentialSettings shared,
                                                         ProviderConfig tenant) {
        if (shared == null && !config.has("credentials")) {
            (tenant != null ? tenant : config).problem("credentials", "missing: give one of "
                    + String.join(", ", CREDENTIAL_KINDS));
        }
        return shared;
    }

    private static CredentialSettings credentials(ProviderConfig c) {
        List<String> given = CREDENTIAL_KINDS.stream().filter(c::has).toList();
        if (given.size() != 1) {
            c.problem("", given.isEmpty()
                    ? "give one of " + String.join(", ", CREDENTIAL_KINDS)
                    : "give only one of " + String.join(", ", given));
            return null;
        }
        String kind = given.get(0);
        ProviderConfig k = c.object(kind).orElse(null);
        if (k == null) {
            return null;
        }
        switch (kind) {
            case "client_secret" -> {
                String clientId = clientId(k, true);
                Optional<Secret> secret = k.secret("secret");
                if (secret.isEmpty() && !k.has("secret")) {
                    k.problem("secret", "missing: give the client secret by reference, e.g. ${env:CADET_GRAPH_SECRET}");
                }
                return secret.map(s -> new CredentialSettings.ClientSecret(clientId, s)).orElse(null);
            }
            case "client_certificate" -> {
                String clientId = clientId(k, true);
                String path = k.requireString("certificate_path");
                Path file = null;
                if (path != null) {
                    file = Path.of(path);
                    if (!Files.isReadable(file)) {
                        k.problem("certificate_path", "cannot read " + path + " (a PEM or PFX file with the certificate and its private key)");
                    }
                }
                Secret password = k.secret("certificate_password").orElse(null);
                return new CredentialSettings.ClientCertificate(clientId, file, password);
            }
            case "managed_identity" -> {
                return new CredentialSettings.ManagedIdentity(clientId(k, false));
            }
            default -> {
                String tokenFile = k.string("token_file_path").orElse(null);
                return new CredentialSettings.WorkloadIdentity(clientId(k, false), tokenFile == null ? null : Path.of(tokenFile));
            }
        }
    }

    private static String clientId(ProviderConfig k, boolean required) {
        String id = required ? k.requireString("client_id") : k.string("client_id").orElse(null);
        if (id != null && !GUID.matcher(id).matches()) {
            k.problem("client_id", "an application (client) id is a GUID, got \"" + id + "\"");
            return null;
        }
        return id == null ? null : id.toLowerCase(Locale.ROOT);
    }

    private static URI authority(ProviderConfig config) {
        Optional<URI> u = config.uri("authority_host");
        if (u.isPresent() && !"https".equals(u.get().getScheme())) {
            config.problem("authority_host", "the login endpoint must use https (azure-identity refuses http), got \"" + u.get() + "\"");
            return DEFAULT_AUTHORITY;
        }
        return u.orElse(DEFAULT_AUTHORITY);
    }

    private static List<String> activityNames(ProviderConfig config) {
        List<String> names = config.strings("activity_names");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).trim();
            if (n.isEmpty()) {
                config.problem("activity_names[" + i + "]", "empty activity name");
            } else if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static Duration retention(ProviderConfig config) {
        Duration d = config.duration("retention", DEFAULT_RETENTION);
        if (d.compareTo(Duration.ofDays(1)) < 0 || d.compareTo(MAX_RETENTION) > 0) {
            config.problem("retention", "Entra keeps audit logs 7 days (Free) or 30 days (P1/P2); give a value from 1d to 30d, got " + d.toDays() + "d");
            return DEFAULT_RETENTION;
        }
        return d;
    }

    private static Path caCertificates(ProviderConfig config) {
        Optional<String> s = config.string("ca_certificates");
        if (s.isEmpty()) {
            return null;
        }
        Path p = Path.of(s.get());
        if (!Files.isReadable(p)) {
            config.problem("ca_certificates", "cannot read " + s.get() + " (a PEM file of CA certificates)");
            return null;
        }
        return p;
    }
}

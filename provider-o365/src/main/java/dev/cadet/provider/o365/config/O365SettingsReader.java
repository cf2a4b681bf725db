package dev.cadet.provider.o365.config;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code providers.o365[i]} entry. Every problem is recorded on the {@link ProviderConfig} with
 * its full path; nothing here throws.
 *
 * <pre>
 * tenant_id: 41463f53-8812-40f4-890f-865bf6e35190      # required
 * credentials:                                           # required, exactly one form
 *   client_secret: {client_id: APP-ID, secret: ${env:O365_SECRET}}
 *   # client_certificate: {client_id: APP-ID, path: /etc/cadet/app.pem, password: ${file:/etc/cadet/pfx-pass}}
 * content_types: [Audit.AzureActiveDirectory, Audit.Exchange]   # default
 * publisher_identifier: GUID                             # default: tenant_id
 * entra_via: o365                                        # o365 (default) or graph: see docs/architecture.md
 * api_base_url: https://manage.office.com/api/v1.0/{tenant}/activity/feed   # default; {tenant} is replaced
 * authority_host: https://login.microsoftonline.com      # default; https only
 * token_scope: https://manage.office.com/.default        # default
 * ca_file: /etc/cadet/extra-ca.pem                       # optional extra trusted CAs (PEM)
 * requests_per_minute: 600                               # default; the tenant allows about 2000
 * </pre>
 */
public final class O365SettingsReader {

    public static final String AAD = "Audit.AzureActiveDirectory";
    public static final List<String> DEFAULT_CONTENT_TYPES = List.of(AAD, "Audit.Exchange");
    public static final Set<String> CONTENT_TYPES = Set.of(AAD, "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All");
    public static final String DEFAULT_API_BASE = "https://manage.office.com/api/v1.0/{tenant}/activity/feed";
    public static final String DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
    public static final String DEFAULT_SCOPE = "https://manage.office.com/.default";
    public static final double DEFAULT_REQUESTS_PER_MINUTE = 600;
    /** The API's tenant quota; more would only be throttled. */
    public static final double MAX_REQUESTS_PER_MINUTE = 2000;

    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile("(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    private O365SettingsReader() {
    }

    public static Optional<O365Settings> read(ProviderConfig config) {
        String tenant = tenant(config);
        O365Settings.Credentials credentials = credentials(config);
        List<String> contentTypes = contentTypes(config);
        String publisher = config.string("publisher_identifier").map(String::trim).orElse(tenant);
        if (publisher != null && !GUID.matcher(publisher).matches()) {
            config.problem("publisher_identifier", "expected a tenant GUID, got \"" + publisher + "\"");
        }
        O365Settings.EntraVia via = entraVia(config);
        if (via == O365Settings.EntraVia.GRAPH && config.has("content_types") && contentTypes.contains(AAD)) {
            config.problem("content_types", "lists " + AAD + " but entra_via is graph: remove " + AAD
                    + " or set entra_via: o365 (one source per tenant for Entra ID, so one change gives one alert)");
        }
        if (via == O365Settings.EntraVia.GRAPH) {
            contentTypes = contentTypes.stream().filter(t -> !t.equals(AAD)).toList();
            if (contentTypes.isEmpty()) {
                config.problem("content_types", "nothing left to read: entra_via is graph and " + AAD + " was the only content type");
            }
        }
        URI apiBase = apiBase(config, tenant);
        URI authority = config.uri("authority_host").orElse(URI.create(DEFAULT_AUTHORITY));
        if (!"https".equals(authority.getScheme())) {
            config.problem("authority_host", "must be an https URL (azure-identity refuses http), got \"" + authority + "\"");
        }
        String scope = config.string("token_scope").map(String::trim).orElse(DEFAULT_SCOPE);
        Path caFile = config.string("ca_file").map(Path::of).orElse(null);
        if (caFile != null && !Files.isReadable(caFile)) {
            config.problem("ca_file", "cannot read " + caFile);
        }
        double rpm = requestsPerMinute(config);
        if (!config.problems().stream().allMatch(p -> p.endsWith(": unknown key"))) {
            return Optional.empty();
        }
        return Optional.of(new O365Settings(tenant, credentials, contentTypes, publisher, apiBase, authority, scope,
                caFile, via, rpm));
    }

    private static String tenant(ProviderConfig config) {
        if (!config.has("tenant_id")) {
            config.problem("tenant_id", "missing: the Entra tenant id (a GUID) of the organization to read");
            return null;
        }
        String t = config.requireString("tenant_id");
        if (t == null) {
            return null;
        }
        t = t.trim();
        if (!GUID.matcher(t).matches() && !DOMAIN.matcher(t).matches()) {
            config.problem("tenant_id", "expected a tenant GUID or a verified domain such as contoso.onmicrosoft.com, got \"" + t + "\"");
            return null;
        }
        return t.toLowerCase(Locale.ROOT);
    }

    private static O365Settings.Credentials credentials(ProviderConfig config) {
        if (!config.has("credentials")) {
            config.problem("credentials", "missing: give client_secret: {client_id, secret} or client_certificate: {client_id, path}");
            return null;
        }
        Optional<ProviderConfig> entry = config.object("credentials");
        if (entry.isEmpty()) {
            return null;
        }
        ProviderConfig c = entry.get();
        boolean secret = c.has("client_secret");
        boolean cert = c.has("client_certificate");
        if (secret == cert) {
            config.problem("credentials", "give exactly one of client_secret: {...} or client_certificate: {...}"
                    + (secret ? " (found both)" : ""));
            return null;
        }
        if (secret) {
            Optional<ProviderConfig> s = c.object("client_secret");
            if (s.isEmpty()) {
                return null;
            }
            String clientId = clientId(s.get());
            if (!s.get().has("secret")) {
                s.get().problem("secret", "missing (give it by reference, e.g. ${env:O365_CLIENT_SECRET})");
                return null;
            }
            Secret value = s.get().secret("secret").orElse(null);
            return clientId == null || value == null ? null : new O365Settings.ClientSecret(clientId, value);
        }
        Optional<ProviderConfig> k = c.object("client_certificate");
        if (k.isEmpty()) {
            return null;
        }
        String clientId = clientId(k.get());
        String path = k.get().requireString("path");
        Secret password = k.get().secret("password").orElse(null);
        if (path != null && !Files.isReadable(Path.of(path))) {
            k.get().problem("path", "cannot read " + path + " (a PEM file with certificate and key, or a .pfx/.p12)");
            return null;
        }
        return clientId == null || path == null ? null : new O365Settings.ClientCertificate(clientId, Path.of(path), password);
    }

    private static String clientId(ProviderConfig c) {
        String id = c.requireString("client_id");
        if (id != null && !GUID.matcher(id.trim()).matches()) {
            c.problem("client_id", "expected the application (client) id, a GUID, got \"" + id + "\"");
            return null;
        }
        return id == null ? null : id.trim();
    }

    private static List<String> contentTypes(ProviderConfig config) {
        if (!config.has("content_types")) {
            return DEFAULT_CONTENT_TYPES;
        }
        List<String> names = config.strings("content_types");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).trim();
            if (!CONTENT_TYPES.contains(name)) {
                config.problem("content_types[" + i + "]", "unknown content type \"" + name + "\" (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(CONTENT_TYPES)) + ")");
            } else if (!out.add(name)) {
                config.problem("content_types[" + i + "]", "\"" + name + "\" is listed twice");
            }
        }
        if (names.isEmpty()) {
            config.problem("content_types", "list at least one content type, e.g. [" + AAD + "]");
        }
        return new ArrayList<>(out);
    }

    private static O365Settings.EntraVia entraVia(ProviderConfig config) {
        String v = config.string("entra_via").map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("o365");
        switch (v) {
            case "o365":
                return O365Settings.EntraVia.O365;
            case "graph":
                return O365Settings.EntraVia.GRAPH;
            default:
                config.problem("entra_via", "expected o365 or graph, got \"" + v + "\"");
                return O365Settings.EntraVia.O365;
        }
    }

    private static URI apiBase(ProviderConfig config, String tenant) {
        String text = config.string("api_base_url").map(String::trim).orElse(DEFAULT_API_BASE);
        String expanded = text.replace("{tenant}", tenant == null ? "tenant" : tenant);
        while (expanded.endsWith("/")) {
            expanded = expanded.substring(0, expanded.length() - 1);
        }
        try {
            URI u = new URI(expanded);
            if (u.getScheme() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http")) || u.getHost() == null) {
                config.problem("api_base_url", "expected an absolute http(s) URL, got \"" + text + "\"");
                return null;
            }
            if (u.getScheme().equals("http") && !isLoopback(u.getHost())) {
                config.problem("api_base_url", "http is allowed only for a loopback stand-in (the token would travel in clear), got \"" + text + "\"");
            }
            return u;
        } catch (URISyntaxException e) {
            config.problem("api_base_url", "not a URL: \"" + text + "\"");
            return null;
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1");
    }

    private static double requestsPerMinute(ProviderConfig config) {
        Optional<Double> rpm = config.parsed("requests_per_minute", text -> {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: \"" + text + "\"");
            }
        });
        if (rpm.isEmpty()) {
            return DEFAULT_REQUESTS_PER_MINUTE;
        }
        if (!(rpm.get() > 0) || rpm.get() > MAX_REQUESTS_PER_MINUTE) {
            config.problem("requests_per_minute", "must be more than 0 and at most " + (int) MAX_REQUESTS_PER_MINUTE
                    + " (the tenant's quota), got " + rpm.get());
            return DEFAULT_REQUESTS_PER_MINUTE;
        }
        return rpm.get();
    }
}

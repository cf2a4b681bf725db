package dev.cadet.provider.gcp.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code providers.gcp[i]} entry. Every problem is recorded on the {@link ProviderConfig} with
 * its full path; nothing here throws, and no problem text repeats anything from the key file.
 *
 * <pre>
 * credentials_json: ${file:/etc/cadet/gcp-key.json}   # required: a service account key, by reference
 * subject: admin@example.org       # required with workspace: the admin impersonated (domain-wide delegation)
 * token_uri: https://oauth2.googleapis.com/token      # optional override of the key's token_uri
 * reports_root_url: https://admin.googleapis.com/     # optional
 * logging_root_url: https://logging.googleapis.com/   # optional
 * workspace:                       # optional; needs scope admin.reports.audit.readonly delegated
 *   customer_id: my_customer       # default my_customer (the subject's own customer)
 *   applications: [admin]          # default [admin]
 *   event_names: [CREATE_USER, ASSIGN_ROLE, GRANT_ADMIN_PRIVILEGE]   # optional server-side filter
 *   timing: {login: {settle_lag: 1h, rescan_overlap: 48h}}          # optional per-application defaults
 *   requests_per_second: 2         # per customer
 * cloud_logging:                   # optional; needs roles/logging.viewer on each resource
 *   resources: [projects/my-project, folders/123, organizations/456]
 *   service_names: [iam.googleapis.com]                 # default iam.googleapis.com
 *   requests_per_second: 1         # per service account (entries.list allows 60 a minute)
 * </pre>
 * At least one of {@code workspace} and {@code cloud_logging} is required.
 */
public final class GcpSettingsReader {

    public static final String DEFAULT_CUSTOMER = "my_customer";
    public static final URI DEFAULT_REPORTS_ROOT = URI.create("https://admin.googleapis.com/");
    public static final URI DEFAULT_LOGGING_ROOT = URI.create("https://logging.googleapis.com/");
    public static final double DEFAULT_REPORTS_RPS = 2.0;
    public static final double DEFAULT_LOGGING_RPS = 1.0;
    public static final String DEFAULT_SERVICE = "iam.googleapis.com";

    private static final Pattern APPLICATION = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_]{1,128}");
    private static final Pattern CUSTOMER = Pattern.compile("my_customer|C[0-9a-zA-Z]{4,32}|[0-9a-zA-Z]{1,32}");
    private static final Pattern RESOURCE = Pattern.compile("(projects/[a-z][a-z0-9-]{4,28}[a-z0-9]|folders/\\d{1,20}|organizations/\\d{1,20})");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9.-]+\\.googleapis\\.com");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GcpSettingsReader() {
    }

    /** The settings, or empty when a problem was recorded that leaves nothing sensible to build. */
    public static Optional<GcpSettings> read(ProviderConfig config) {
        Secret key = null;
        String clientEmail = null;
        if (!config.has("credentials_json")) {
            config.problem("credentials_json", "missing: give the service account key by reference, e.g. ${file:/etc/cadet/gcp-key.json}");
        } else {
            key = config.secret("credentials_json").orElse(null);
            clientEmail = key == null ? null : clientEmail(config, key);
        }
        String subject = config.string("subject").orElse(null);
        if (subject != null && !EMAIL.matcher(subject).matches()) {
            config.problem("subject", "expected the email of a Workspace admin, got \"" + subject + "\"");
        }
        URI tokenUri = config.uri("token_uri").orElse(null);
        URI reportsRoot = root(config.uri("reports_root_url").orElse(DEFAULT_REPORTS_ROOT));
        URI loggingRoot = root(config.uri("logging_root_url").orElse(DEFAULT_LOGGING_ROOT));
        GcpSettings.Workspace workspace = config.object("workspace").map(GcpSettingsReader::workspace).orElse(null);
        GcpSettings.CloudLogging logging = config.object("cloud_logging").map(GcpSettingsReader::cloudLogging).orElse(null);
        if (workspace == null && logging == null && !config.has("workspace") && !config.has("cloud_logging")) {
            config.problem("", "nothing to read: add workspace: {...} (Reports API) and/or cloud_logging: {resources: [...]}");
        }
        if (workspace != null && subject == null) {
            config.problem("subject", "missing: the Reports API is read as a Workspace admin through domain-wide delegation;"
                    + " give that admin's email");
        }
        if (!config.problems().stream().allMatch(p -> p.endsWith(": unknown key"))) {
            return Optional.empty();
        }
        return Optional.of(new GcpSettings(key, clientEmail, subject, tokenUri, reportsRoot, loggingRoot, workspace, logging));
    }

    /** Checks the key's shape; the problem text names missing fields, never values. */
    private static String clientEmail(ProviderConfig config, Secret key) {
        String text;
        try {
            text = key.reveal();
        } catch (RuntimeException e) {
            config.problem("credentials_json", "cannot read " + key.reference() + " (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (Exception e) {
            config.problem("credentials_json", key.reference() + " is not JSON: expected a service account key file (contents not shown)");
            return null;
        }
        if (json == null || !json.isObject()) {
            config.problem("credentials_json", key.reference() + " is not a JSON object: expected a service account key file");
            return null;
        }
        if (!"service_account".equals(json.path("type").asText())) {
            config.problem("credentials_json", key.reference() + ": \"type\" must be \"service_account\" (a key created for a service account)");
            return null;
        }
        List<String> missing = new ArrayList<>();
        for (String field : List.of("client_email", "private_key", "private_key_id")) {
            if (json.path(field).asText().isEmpty()) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            config.problem("credentials_json", key.reference() + " lacks " + String.join(", ", missing));
            return null;
        }
        return json.path("client_email").asText();
    }

    private static GcpSettings.Workspace workspace(ProviderConfig w) {
        String customer = w.string("customer_id", DEFAULT_CUSTOMER);
        if (!CUSTOMER.matcher(customer).matches()) {
            w.problem("customer_id", "expected my_customer or a customer id such as C01234abc, got \"" + customer + "\"");
        }
        List<String> apps = w.has("applications") ? distinct(w, "applications", APPLICATION,
                "an application name in lower case such as admin, login, drive") : List.of("admin");
        if (w.has("applications") && apps.isEmpty()) {
            w.problem("applications", "list at least one application, e.g. [admin]");
        }
        List<String> events = distinct(w, "event_names", EVENT_NAME, "an event name such as CREATE_USER");
        Map<String, GcpSettings.Timing> timing = new LinkedHashMap<>();
        for (String app : apps) {
            timing.put(app, WorkspaceTiming.defaultFor(app));
        }
        w.object("timing").ifPresent(t -> {
            for (String app : t.keys()) {
                if (!apps.contains(app)) {
                    t.problem(app, "not one of the applications read: " + apps);
                    t.has(app);
                    continue;
                }
                t.object(app).ifPresent(a -> {
                    GcpSettings.Timing d = timing.get(app);
                    timing.put(app, new GcpSettings.Timing(a.duration("settle_lag", d.settleLag()),
                            a.duration("rescan_overlap", d.rescanOverlap())));
                });
            }
        });
        double rps = rate(w, DEFAULT_REPORTS_RPS, 10);
        return new GcpSettings.Workspace(customer, apps, events, timing, rps);
    }

    private static GcpSettings.CloudLogging cloudLogging(ProviderConfig c) {
        List<String> resources = distinct(c, "resources", RESOURCE, "projects/PROJECT_ID, folders/NUMBER or organizations/NUMBER");
        if (resources.isEmpty() && c.problems().stream().noneMatch(p -> p.contains(".resources"))) {
            c.problem("resources", "list at least one of projects/PROJECT_ID, folders/NUMBER, organizations/NUMBER");
        }
        List<String> services = c.has("service_names")
                ? distinct(c, "service_names", SERVICE, "a service name such as iam.googleapis.com") : List.of(DEFAULT_SERVICE);
        double rps = rate(c, DEFAULT_LOGGING_RPS, 10);
        return new GcpSettings.CloudLogging(resources, services, rps);
    }

    private static List<String> distinct(ProviderConfig c, String key, Pattern shape, String expected) {
        List<String> values = c.strings(key);
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i).trim();
            if (!shape.matcher(v).matches()) {
                c.problem(key + "[" + i + "]", "expected " + expected + ", got \"" + v + "\"");
            } else if (!out.add(v)) {
                c.problem(key + "[" + i + "]", "\"" + v + "\" is listed twice");
            }
        }
        return new ArrayList<>(out);
    }

    private static double rate(ProviderConfig c, double defaultValue, double max) {
        Optional<Double> rps = c.parsed("requests_per_second", text -> {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: \"" + text + "\"");
            }
        });
        if (rps.isPresent() && (!(rps.get() > 0) || rps.get() > max)) {
            c.problem("requests_per_second", "must be more than 0 and at most " + max + ", got " + rps.get());
            return defaultValue;
        }
        return rps.orElse(defaultValue);
    }

    /** Roots are joined with relative paths, so they must end in a slash. */
    private static URI root(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? u : URI.create(s + "/");
    }
}

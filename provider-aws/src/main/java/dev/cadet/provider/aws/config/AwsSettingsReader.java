package dev.cadet.provider.aws.config;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;

/**
 * Reads a {@code providers.aws[i]} entry. Every problem is recorded on the {@link ProviderConfig} with
 * its full path, so {@code cadet check-config} lists them all; nothing here throws.
 *
 * <pre>
 * accounts:                      # required, at least one
 *   - id: "123456789012"
 *     assume_role: {role_arn: arn:aws:iam::123456789012:role/cadet-reader, external_id: X, session_name: cadet}
 * regions: [us-east-1]           # default us-east-1 (IAM, STS, Organizations events are only there)
 * credentials:                   # optional; default is the SDK default chain
 *   default: true                # or
 *   profile: NAME                # or
 *   static: {access_key_id: ${env:A}, secret_access_key: ${env:B}, session_token: ${env:C}}
 * lookup_attribute: {key: EventSource, value: iam.amazonaws.com}
 * event_names: [CreateUser, CreateLoginProfile]   # optional client-side filter
 * endpoint: http://127.0.0.1:8080                 # optional CloudTrail endpoint override
 * sts_endpoint: http://127.0.0.1:8080             # optional STS endpoint override
 * requests_per_second: 2                          # per (account, region), at most 2
 * </pre>
 */
public final class AwsSettingsReader {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final double DEFAULT_REQUESTS_PER_SECOND = 2.0;
    /** CloudTrail's fixed LookupEvents quota per account and region. */
    public static final double MAX_REQUESTS_PER_SECOND = 2.0;
    public static final String DEFAULT_SESSION_NAME = "cadet-collector";
    public static final AwsSettings.LookupAttribute DEFAULT_LOOKUP_ATTRIBUTE =
            new AwsSettings.LookupAttribute("EventSource", "iam.amazonaws.com");

    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/.+");
    // AWS: 2-64 characters of [\w+=,.@-]
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

    private AwsSettingsReader() {
    }

    /** The settings, or empty when a problem was recorded that leaves nothing sensible to build. */
    public static Optional<AwsSettings> read(ProviderConfig config) {
        List<AwsSettings.Account> accounts = accounts(config);
        List<String> regions = regions(config);
        CredentialSource credentials = credentials(config);
        AwsSettings.LookupAttribute attribute = lookupAttribute(config);
        Set<String> eventNames = new LinkedHashSet<>(config.strings("event_names"));
        URI endpoint = config.uri("endpoint").orElse(null);
        URI stsEndpoint = config.uri("sts_endpoint").orElse(null);
        double rps = requestsPerSecond(config);
        // Unknown keys are reported by the host; any other problem leaves nothing sensible to build.
        if (!config.problems().stream().allMatch(p -> p.endsWith(": unknown key"))) {
            return Optional.empty();
        }
        return Optional.of(new AwsSettings(accounts, regions, credentials, attribute, eventNames, endpoint,
                stsEndpoint, rps));
    }

    private static List<AwsSettings.Account> accounts(ProviderConfig config) {
        if (!config.has("accounts")) {
            config.problem("accounts", "missing: list the accounts to poll, e.g. accounts: [{id: \"123456789012\"}]"
                    + " (cadet does not discover the account from the credentials)");
            return List.of();
        }
        List<ProviderConfig> entries = config.objects("accounts");
        List<AwsSettings.Account> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ProviderConfig entry : entries) {
            String id = entry.requireString("id");
            if (id != null && !ACCOUNT_ID.matcher(id).matches()) {
                entry.problem("id", "an account id is 12 digits, got \"" + id
                        + "\" (quote it in YAML so leading zeros are kept)");
                id = null;
            } else if (id != null && !seen.add(id)) {
                entry.problem("id", "account " + id + " is listed twice");
                id = null;
            }
            AwsSettings.AssumeRole role = entry.object("assume_role").map(AwsSettingsReader::assumeRole).orElse(null);
            if (id != null) {
                out.add(new AwsSettings.Account(id, role));
            }
        }
        if (entries.isEmpty() && config.problems().stream().noneMatch(p -> p.startsWith(config.path() + ".accounts"))) {
            config.problem("accounts", "list at least one account, e.g. accounts: [{id: \"123456789012\"}]");
        }
        return out;
    }

    private static AwsSettings.AssumeRole assumeRole(ProviderConfig role) {
        String arn = role.requireString("role_arn");
        if (arn != null && !ROLE_ARN.matcher(arn).matches()) {
            role.problem("role_arn", "expected a role ARN such as arn:aws:iam::123456789012:role/NAME, got \"" + arn + "\"");
        }
        String externalId = role.string("external_id").orElse(null);
        String sessionName = role.string("session_name", DEFAULT_SESSION_NAME);
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            role.problem("session_name", "2 to 64 characters of letters, digits and +=,.@_- expected, got \"" + sessionName + "\"");
        }
        return new AwsSettings.AssumeRole(arn, externalId, sessionName);
    }

    private static List<String> regions(ProviderConfig config) {
        if (!config.has("regions")) {
            return List.of(DEFAULT_REGION);
        }
        Set<String> known = Region.regions().stream().map(Region::id).collect(Collectors.toSet());
        List<String> names = config.strings("regions");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).trim();
            if (!known.contains(name)) {
                config.problem("regions[" + i + "]", "unknown region \"" + name + "\"");
            } else if (!out.add(name)) {
                config.problem("regions[" + i + "]", "region \"" + name + "\" is listed twice");
            }
        }
        if (names.isEmpty()) {
            config.problem("regions", "list at least one region (IAM events are recorded in us-east-1)");
        }
        return new ArrayList<>(out);
    }

    private static CredentialSource credentials(ProviderConfig config) {
        if (!config.has("credentials")) {
            return new CredentialSource.DefaultChain();
        }
        Optional<ProviderConfig> entry = config.object("credentials");
        if (entry.isEmpty()) {
            return new CredentialSource.DefaultChain();
        }
        ProviderConfig c = entry.get();
        List<String> given = new ArrayList<>();
        for (String form : List.of("default", "profile", "static")) {
            if (c.has(form)) {
                given.add(form);
            }
        }
        if (given.size() != 1) {
            config.problem("credentials", "give exactly one of default: true, profile: NAME, static: {...}"
                    + (given.isEmpty() ? "" : " (found " + String.join(", ", given) + ")"));
            return new CredentialSource.DefaultChain();
        }
        switch (given.get(0)) {
            case "default":
                if (!c.bool("default", true)) {
                    c.problem("default", "set default: true, or choose profile or static credentials");
                }
                return new CredentialSource.DefaultChain();
            case "profile":
                return new CredentialSource.Profile(c.requireString("profile"));
            default:
                Optional<ProviderConfig> keys = c.object("static");
                if (keys.isEmpty()) {
                    return new CredentialSource.DefaultChain();
                }
                ProviderConfig k = keys.get();
                Secret id = requireSecret(k, "access_key_id");
                Secret secret = requireSecret(k, "secret_access_key");
                Secret token = k.secret("session_token").orElse(null);
                return new CredentialSource.Static(id, secret, token);
        }
    }

    private static Secret requireSecret(ProviderConfig c, String key) {
        if (!c.has(key)) {
            c.problem(key, "missing (give it by reference, e.g. ${env:AWS_ACCESS_KEY_ID})");
            return null;
        }
        return c.secret(key).orElse(null);
    }

    private static AwsSettings.LookupAttribute lookupAttribute(ProviderConfig config) {
        Optional<ProviderConfig> entry = config.object("lookup_attribute");
        if (entry.isEmpty()) {
            return DEFAULT_LOOKUP_ATTRIBUTE;
        }
        ProviderConfig a = entry.get();
        String key = a.requireString("key");
        String value = a.requireString("value");
        Set<String> keys = new TreeSet<>(LookupAttributeKey.knownValues().stream().map(LookupAttributeKey::toString).toList());
        if (key != null && !keys.contains(key)) {
            a.problem("key", "unknown LookupEvents attribute \"" + key + "\" (expected one of " + String.join(", ", keys) + ")");
        }
        if (value != null && value.isBlank()) {
            a.problem("value", "must not be empty");
        }
        return new AwsSettings.LookupAttribute(key, value);
    }

    private static double requestsPerSecond(ProviderConfig config) {
        Optional<Double> rps = config.parsed("requests_per_second", text -> {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: \"" + text + "\"");
            }
        });
        if (rps.isEmpty()) {
            return DEFAULT_REQUESTS_PER_SECOND;
        }
        double v = rps.get();
        if (!(v > 0) || v > MAX_REQUESTS_PER_SECOND) {
            config.problem("requests_per_second", "must be more than 0 and at most " + MAX_REQUESTS_PER_SECOND
                    + " (CloudTrail allows 2 LookupEvents requests per second per account and region), got " + v);
            return DEFAULT_REQUESTS_PER_SECOND;
        }
        return v;
    }
}

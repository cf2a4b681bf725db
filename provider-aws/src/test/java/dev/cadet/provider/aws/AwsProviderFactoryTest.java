package dev.cadet.provider.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.SpiVersion;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.provider.aws.config.AwsSettings;
import dev.cadet.provider.aws.config.AwsSettingsReader;
import dev.cadet.provider.aws.config.CredentialSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AwsProviderFactoryTest {

    private static Map<String, Object> base() {
        Map<String, Object> v = new HashMap<>();
        v.put("accounts", List.of(Map.of("id", "123456789012")));
        return v;
    }

    private static List<String> problemsOf(Map<String, Object> values) {
        ProviderConfig config = TestConfigs.config(values);
        Provider p = new AwsProviderFactory().create(config);
        List<String> problems = config.problems();
        if (p != null) {
            p.close();
        } else {
            assertFalse(problems.isEmpty(), "null only with a problem recorded");
        }
        return problems;
    }

    @Test
    void isFoundByServiceLoader() {
        List<ProviderFactory> found = ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        ProviderFactory f = found.get(0);
        assertEquals("aws", f.id());
        assertEquals(SpiVersion.MAJOR, f.spiMajorVersion());
        assertEquals(dev.cadet.collector.ProviderFactory.UNPACKAGED_VERSION, f.version(), "classes dir: no manifest");
        assertNotNull(f.normalizer());
    }

    @Test
    void oneStreamPerAccountAndRegionWithCloudTrailTiming() {
        Map<String, Object> v = base();
        v.put("accounts", List.of(Map.of("id", "123456789012"), Map.of("id", "210987654321")));
        v.put("regions", List.of("us-east-1", "eu-west-1"));
        v.put("requests_per_second", 1.5);
        ProviderConfig config = TestConfigs.config(v);
        try (Provider p = new AwsProviderFactory().create(config)) {
            assertEquals(List.of(), config.problems());
            assertEquals(List.of("aws/123456789012/us-east-1", "aws/123456789012/eu-west-1",
                    "aws/210987654321/us-east-1", "aws/210987654321/eu-west-1"), p.streams().stream().map(StreamSpec::key).toList());
            StreamSpec s = p.streams().get(1);
            assertEquals("aws.cloudtrail", s.dataset());
            assertEquals(TimeAxis.EVENT_TIME, s.timeAxis());
            assertEquals(Duration.ofMinutes(5), s.settleLag());
            assertEquals(Duration.ofHours(1), s.rescanOverlap());
            assertEquals(Duration.ofHours(1), s.maxWindow());
            assertEquals(Duration.ofDays(90), s.retention());
            assertEquals(Duration.ofHours(1), s.initialBackfill());
            assertEquals(new QuotaScope("aws/123456789012/eu-west-1", 1.5), s.quota());
            assertEquals(Map.of("account", "123456789012", "region", "eu-west-1"), s.labels());
            assertNotNull(p.source());
        }
    }

    @Test
    void defaultsAreUsEast1IamEventsTwoPerSecondAndTheDefaultChain() {
        ProviderConfig config = TestConfigs.config(base());
        AwsSettings s = AwsSettingsReader.read(config).orElseThrow();
        assertEquals(List.of(), config.problems());
        assertEquals(List.of("us-east-1"), s.regions());
        assertEquals(new AwsSettings.LookupAttribute("EventSource", "iam.amazonaws.com"), s.lookupAttribute());
        assertEquals(2.0, s.requestsPerSecond());
        assertEquals(new CredentialSource.DefaultChain(), s.credentials());
        assertTrue(s.eventNames().isEmpty());
        assertNull(s.endpoint());
    }

    @Test
    void fullConfigIsRead() {
        Map<String, Object> v = base();
        v.put("accounts", List.of(Map.of("id", "123456789012", "assume_role",
                Map.of("role_arn", "arn:aws:iam::123456789012:role/cadet", "external_id", "x-1"))));
        v.put("credentials", Map.of("profile", "audit"));
        v.put("event_names", List.of("CreateUser"));
        v.put("endpoint", "http://127.0.0.1:9");
        v.put("sts_endpoint", "http://127.0.0.1:10");
        ProviderConfig config = TestConfigs.config(v);
        AwsSettings s = AwsSettingsReader.read(config).orElseThrow();
        assertEquals(List.of(), config.problems());
        assertEquals(new AwsSettings.AssumeRole("arn:aws:iam::123456789012:role/cadet", "x-1", "cadet-collector"),
                s.accounts().get(0).assumeRole());
        assertEquals(new CredentialSource.Profile("audit"), s.credentials());
        assertEquals(java.util.Set.of("CreateUser"), s.eventNames());
        assertEquals("http://127.0.0.1:10", s.stsEndpoint().toString());
    }

    @Test
    void missingAccountsIsAProblemThatSaysWhy() {
        List<String> problems = problemsOf(new HashMap<>(Map.of("regions", List.of("us-east-1"))));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("providers.aws[0].accounts: missing: list the accounts to poll"), problems.get(0));
        assertTrue(problems.get(0).contains("does not discover the account"));

        List<String> empty = problemsOf(new HashMap<>(Map.of("accounts", List.of())));
        assertEquals(List.of("providers.aws[0].accounts: list at least one account, e.g. accounts: [{id: \"123456789012\"}]"), empty);
    }

    @Test
    void unknownRegionIsNamedWithItsPath() {
        Map<String, Object> v = base();
        v.put("regions", List.of("us-east-1", "us-est-1"));
        assertEquals(List.of("providers.aws[0].regions[1]: unknown region \"us-est-1\""), problemsOf(v));
    }

    @Test
    void badValuesAreReportedTogetherWithTheirPaths() {
        Map<String, Object> v = new HashMap<>();
        v.put("accounts", List.of(Map.of("id", "12345"), Map.of("assume_role", Map.of("role_arn", "not-an-arn"))));
        v.put("lookup_attribute", Map.of("key", "EventSauce", "value", "iam.amazonaws.com"));
        v.put("requests_per_second", 5);
        v.put("endpoint", "ftp://example");
        v.put("colour", "blue");
        List<String> problems = problemsOf(v);
        assertTrue(problems.contains("providers.aws[0].accounts[0].id: an account id is 12 digits, got \"12345\""
                + " (quote it in YAML so leading zeros are kept)"), problems.toString());
        assertTrue(problems.contains("providers.aws[0].accounts[1].id: missing"), problems.toString());
        assertTrue(problems.contains("providers.aws[0].accounts[1].assume_role.role_arn: expected a role ARN such as"
                + " arn:aws:iam::123456789012:role/NAME, got \"not-an-arn\""), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("providers.aws[0].lookup_attribute.key: unknown LookupEvents attribute \"EventSauce\" (expected one of")
                && p.contains("EventName") && p.contains("EventSource") && p.contains("Username")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("providers.aws[0].requests_per_second: must be more than 0 and at most 2.0")), problems.toString());
        assertTrue(problems.contains("providers.aws[0].endpoint: expected an absolute http(s) URL, got \"ftp://example\""), problems.toString());
        assertTrue(problems.contains("providers.aws[0].colour: unknown key"), problems.toString());
    }

    @Test
    void staticKeysMustBeReferencesAndAreNeverEchoed() {
        Map<String, Object> v = base();
        v.put("credentials", Map.of("static", Map.of("access_key_id", "${env:AWS_KEY_ID}", "secret_access_key", "wJalrXUtnFEMI/K7MDENG")));
        List<String> problems = problemsOf(v);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("providers.aws[0].credentials.static.secret_access_key: secrets must be given by reference"));
        assertFalse(problems.get(0).contains("wJalrXUtnFEMI"));

        Map<String, Object> missing = base();
        missing.put("credentials", Map.of("static", Map.of("access_key_id", "${env:AWS_KEY_ID}")));
        assertEquals(List.of("providers.aws[0].credentials.static.secret_access_key: missing (give it by reference, e.g. ${env:AWS_ACCESS_KEY_ID})"),
                problemsOf(missing));

        Map<String, Object> unset = base();
        unset.put("credentials", Map.of("static", Map.of("access_key_id", "${env:NOPE}", "secret_access_key", "${env:AWS_SECRET}")));
        assertEquals(List.of("providers.aws[0].credentials.static.access_key_id: ${env:NOPE} is not set"), problemsOf(unset));
    }

    @Test
    void credentialsTakeExactlyOneForm() {
        Map<String, Object> v = base();
        v.put("credentials", Map.of("profile", "a", "default", true));
        List<String> problems = problemsOf(v);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("providers.aws[0].credentials: give exactly one of default: true, profile: NAME, static: {...}"));
    }

    @Test
    void staticCredentialsPrintAsReferences() {
        Map<String, Object> v = base();
        v.put("credentials", TestConfigs.staticCredentials());
        ProviderConfig config = TestConfigs.config(v);
        AwsSettings s = AwsSettingsReader.read(config).orElseThrow();
        String text = s.toString();
        assertTrue(text.contains("${env:AWS_SECRET}"), text);
        assertFalse(text.contains(TestConfigs.SECRET_ACCESS_KEY));
        assertFalse(text.contains(TestConfigs.ACCESS_KEY_ID));
    }
}

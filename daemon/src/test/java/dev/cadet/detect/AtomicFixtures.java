package dev.cadet.detect;

import dev.cadet.collector.Event;
import dev.cadet.collector.RawView;
import java.time.Instant;

/**
 * ECS events shaped like the signals of the seed card's Atomic Red Team tests 1-4 (our own
 * fixtures), plus the near misses the seed rule must ignore.
 */
final class AtomicFixtures {
    static final String TENANT = "6f1c2a4e-0000-4000-8000-00000000c0de";
    static final String AWS_ACCOUNT = "123456789012";
    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private AtomicFixtures() {
    }

    static Event azure(String id, int second, String operation, String result, String target) {
        return Event.builder(id, T0.plusSeconds(second), RawView.empty())
                .put(Event.DATASET, "azure.auditlogs")
                .put(Event.PROVIDER, "Core Directory")
                .put(Event.ACTION, operation)
                .put("azure.auditlogs.operation_name", operation)
                .put("azure.auditlogs.result", result)
                .put(Event.OUTCOME, "success".equals(result) ? "success" : "failure")
                .put(Event.CLOUD_PROVIDER, "azure")
                .put(Event.ACCOUNT_ID, TENANT)
                .put(Event.USER_NAME, "admin@contoso.onmicrosoft.com")
                .put(Event.TARGET_NAME, target)
                .put(Event.SOURCE_IP, "198.51.100.7")
                .build();
    }

    static Event aws(String id, int second, String action, String errorCode, String target) {
        return Event.builder(id, T0.plusSeconds(second), RawView.empty())
                .put(Event.DATASET, "aws.cloudtrail")
                .put(Event.PROVIDER, "iam.amazonaws.com")
                .put(Event.ACTION, action)
                .put(Event.ERROR_CODE, errorCode)
                .put(Event.OUTCOME, errorCode == null ? "success" : "failure")
                .put(Event.CLOUD_PROVIDER, "aws")
                .put(Event.ACCOUNT_ID, AWS_ACCOUNT)
                .put(Event.USER_NAME, "atomic-runner")
                .put(Event.TARGET_NAME, target)
                .put(Event.SOURCE_IP, "203.0.113.9")
                .build();
    }

    // Test 1: Create Azure AD User via Azure CLI.
    static Event test1AddUser() {
        return azure("az-1", 0, "Add user", "success", "df00tech-test-user");
    }

    // Test 2: AADInternals service principal pattern: three events.
    static Event test2AddApplication() {
        return azure("az-2a", 60, "Add application", "success", "df00tech-app");
    }

    static Event test2AddServicePrincipal() {
        return azure("az-2b", 62, "Add service principal", "success", "df00tech-app");
    }

    static Event test2AddCredentials() {
        return azure("az-2c", 64, "Add service principal credentials", "success", "df00tech-app");
    }

    // Test 3: Create AWS IAM user with access keys.
    static Event test3CreateUser() {
        return aws("ct-3a", 120, "CreateUser", null, "df00tech-atomic-test-user");
    }

    static Event test3CreateAccessKey() {
        return aws("ct-3b", 122, "CreateAccessKey", null, "df00tech-atomic-test-user");
    }

    // Test 4: Create Azure AD user via AADInternals.
    static Event test4AddUser() {
        return azure("az-4", 180, "Add user", "success", "aadint-user");
    }

    static Event failedAwsCreateUser() {
        return aws("ct-fail", 130, "CreateUser", "AccessDenied", "blocked-user");
    }

    static Event failedAzureAddUser() {
        return azure("az-fail", 140, "Add user", "failure", "blocked-user");
    }

    static Event azureOtherOperation() {
        return azure("az-other", 150, "Update user", "success", "df00tech-test-user");
    }

    static Event awsOtherOperation() {
        return aws("ct-other", 160, "ListUsers", null, null);
    }
}

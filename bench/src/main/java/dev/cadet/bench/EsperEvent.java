package dev.cadet.bench;

import dev.cadet.collector.Event;

/**
 * The event of Esper's second runner: the fields the shipped rules read, as a Java bean (Esper's
 * fastest input). Built from the same normalized {@link Event}s before timing, so that figure excludes
 * the conversion and favours Esper; the faithful figure sends the {@link Event}s' own field maps.
 */
public final class EsperEvent {
    private final long time;
    private final String dataset;
    private final String provider;
    private final String action;
    private final String outcome;
    private final String errorCode;
    private final String account;
    private final String userName;
    private final String target;
    private final String policyArn;
    private final String policyDocument;
    private final String azOperation;
    private final String azResult;
    private final String azRoleTemplateId;
    private final String o365RoleTemplateId;
    private final String gcpMethod;

    EsperEvent(Event e) {
        time = e.timestamp().toEpochMilli();
        dataset = text(e, Event.DATASET);
        provider = text(e, Event.PROVIDER);
        action = text(e, Event.ACTION);
        outcome = text(e, Event.OUTCOME);
        errorCode = text(e, Event.ERROR_CODE);
        account = text(e, Event.ACCOUNT_ID);
        userName = text(e, Event.USER_NAME);
        target = text(e, Event.TARGET_NAME);
        policyArn = text(e, "aws.cloudtrail.request_parameters.policy_arn");
        policyDocument = text(e, "requestParameters.policyDocument");
        azOperation = text(e, "azure.auditlogs.operation_name");
        azResult = text(e, "azure.auditlogs.result");
        azRoleTemplateId = text(e, "azure.auditlogs.properties.role.template_id");
        o365RoleTemplateId = text(e, "o365.audit.ModifiedProperties.Role_TemplateId.NewValue");
        gcpMethod = text(e, "gcp.audit.method_name");
    }

    private static String text(Event e, String path) {
        Object v = e.get(path);
        return v == null ? null : v.toString();
    }

    public long getTime() {
        return time;
    }

    public String getDataset() {
        return dataset;
    }

    public String getProvider() {
        return provider;
    }

    public String getAction() {
        return action;
    }

    public String getOutcome() {
        return outcome;
    }

    public String getErrorCode() {
        return errorCode;
    }

    public String getAccount() {
        return account;
    }

    public String getUserName() {
        return userName;
    }

    public String getTarget() {
        return target;
    }

    public String getPolicyArn() {
        return policyArn;
    }

    public String getPolicyDocument() {
        return policyDocument;
    }

    public String getAzOperation() {
        return azOperation;
    }

    public String getAzResult() {
        return azResult;
    }

    public String getAzRoleTemplateId() {
        return azRoleTemplateId;
    }

    public String getO365RoleTemplateId() {
        return o365RoleTemplateId;
    }

    public String getGcpMethod() {
        return gcpMethod;
    }
}

package dev.cadet.provider.gcp.fetch;

/** Which Google API a request goes to: it decides what a 403 tells the operator to fix. */
enum Api {
    REPORTS("the Workspace Reports API", "domain-wide delegation: in the Admin console (Security > API controls >"
            + " Domain-wide delegation) authorize the service account's client id for scope "
            + "https://www.googleapis.com/auth/admin.reports.audit.readonly, and make subject an admin who may read reports"),
    LOGGING("Cloud Logging", "grant roles/logging.viewer (logging.logEntries.list) to the service account on the resource");

    final String title;
    final String fix;

    Api(String title, String fix) {
        this.title = title;
        this.fix = fix;
    }
}

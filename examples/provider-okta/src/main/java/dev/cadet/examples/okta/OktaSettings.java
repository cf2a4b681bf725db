package dev.cadet.examples.okta;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.net.URI;
import java.util.Optional;

/**
 * One {@code providers.okta[n]} entry.
 *
 * @param orgUrl    the org's base URL; its host is the events' {@code cloud.account.id}
 * @param token     the API token, sent as {@code Authorization: SSWS <token>}
 * @param pageLimit {@code limit} per request (Okta allows up to 1000)
 */
record OktaSettings(URI orgUrl, Secret token, int pageLimit) {

    /** The org, as {@code cloud.account.id}: the host of {@code org_url}. */
    String org() {
        return orgUrl.getHost();
    }

    /** Reads the entry; problems go to the config (with their paths) and give null. */
    static OktaSettings read(ProviderConfig config) {
        Optional<URI> url = config.uri("org_url");
        if (url.isEmpty() && !config.has("org_url")) {
            config.problem("org_url", "missing (e.g. https://acme.okta.com)");
        }
        Optional<Secret> token = config.secret("token");
        if (token.isEmpty() && !config.has("token")) {
            config.problem("token", "missing: an Okta API token by reference, e.g. ${credential:okta-token}");
        }
        int limit = config.integer("page_limit", 1000, 1, 1000);
        if (url.isEmpty() || token.isEmpty()) {
            return null;
        }
        if (url.get().getPath() != null && !url.get().getPath().isEmpty() && !url.get().getPath().equals("/")) {
            config.problem("org_url", "give the org's base URL only, without a path (got \"" + url.get() + "\")");
            return null;
        }
        URI base = URI.create(url.get().getScheme() + "://" + url.get().getRawAuthority());
        return new OktaSettings(base, token.get(), limit);
    }
}

package dev.cadet.examples.okta;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.SpiVersion;

/**
 * Provider {@code okta}: the Okta System Log ({@code GET /api/v1/logs}), one stream per config entry
 * (one Okta org). Config keys: {@code org_url} (https://acme.okta.com), {@code token} (an API token
 * of a read-only administrator, by reference), {@code page_limit} (1..1000, default 1000).
 */
public final class OktaProviderFactory implements ProviderFactory {
    private final SystemLogNormalizer normalizer = new SystemLogNormalizer();

    @Override
    public String id() {
        return "okta";
    }

    @Override
    public String version() {
        String v = OktaProviderFactory.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The SPI major version this plugin was compiled against (a constant, inlined by javac). */
    @Override
    public int spiMajorVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public Normalizer normalizer() {
        return normalizer;
    }

    @Override
    public Provider create(ProviderConfig config) {
        OktaSettings settings = OktaSettings.read(config);
        return settings == null ? null : new OktaProvider(settings);
    }
}

package dev.cadet.provider.azure;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.SpiVersion;
import dev.cadet.provider.azure.config.AzureSettingsReader;
import dev.cadet.provider.azure.normalize.DirectoryAuditNormalizer;

/**
 * The {@code azure} provider: polls Entra ID audit logs through Microsoft Graph
 * {@code /auditLogs/directoryAudits} per tenant and normalizes them (Graph records and the Azure Monitor
 * diagnostic-settings shape) to ECS. See {@link AzureSettingsReader} for the config keys.
 */
public final class AzureProviderFactory implements ProviderFactory {

    public static final String ID = "azure";

    private static final DirectoryAuditNormalizer NORMALIZER = new DirectoryAuditNormalizer();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int spiMajorVersion() {
        return SpiVersion.MAJOR;
    }


    @Override
    public Normalizer normalizer() {
        return NORMALIZER;
    }

    /** Returns null only after recording problems on {@code config}. */
    @Override
    public Provider create(ProviderConfig config) {
        return AzureSettingsReader.read(config).map(AzureProvider::new).orElse(null);
    }
}

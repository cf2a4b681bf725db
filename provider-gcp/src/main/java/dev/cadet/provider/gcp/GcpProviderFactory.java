package dev.cadet.provider.gcp;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.SpiVersion;
import dev.cadet.provider.gcp.config.GcpSettingsReader;
import dev.cadet.provider.gcp.normalize.GoogleNormalizer;

/**
 * The {@code gcp} provider: Google Workspace admin activity (Reports API) and GCP Cloud Audit Logs
 * (Cloud Logging {@code entries.list}), read over REST with a service account key, normalized to ECS.
 * See {@link GcpSettingsReader} for the config keys and {@link GoogleNormalizer} for the fields.
 */
public final class GcpProviderFactory implements ProviderFactory {

    public static final String ID = "gcp";

    private static final GoogleNormalizer NORMALIZER = new GoogleNormalizer();

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
        return GcpSettingsReader.read(config).map(GcpProvider::new).orElse(null);
    }
}

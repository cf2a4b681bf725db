package dev.cadet.provider.aws;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.SpiVersion;
import dev.cadet.provider.aws.config.AwsSettingsReader;
import dev.cadet.provider.aws.normalize.CloudTrailNormalizer;

/**
 * The {@code aws} provider: polls CloudTrail {@code LookupEvents} per (account, region) and normalizes
 * CloudTrail records to ECS. See {@link AwsSettingsReader} for the config keys.
 */
public final class AwsProviderFactory implements ProviderFactory {

    public static final String ID = "aws";

    private static final CloudTrailNormalizer NORMALIZER = new CloudTrailNormalizer();

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
        return AwsSettingsReader.read(config).map(AwsProvider::new).orElse(null);
    }
}

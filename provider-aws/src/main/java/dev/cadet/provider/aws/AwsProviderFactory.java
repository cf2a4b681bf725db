package dev.cadet.provider.aws;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.provider.aws.config.AwsSettingsReader;
import dev.cadet.provider.aws.normalize.CloudTrailNormalizer;

/**
 * The {@code aws} provider: polls CloudTrail {@code LookupEvents} per (account, region) and normalizes
 * CloudTrail records to ECS. See {@link AwsSettingsReader} for the config keys.
 */
public final class AwsProviderFactory implements ProviderFactory {

    public static final String ID = "aws";
    /** Used when the classes are not run from the packaged jar (tests, IDE). */
    static final String UNPACKAGED_VERSION = "development";

    private static final CloudTrailNormalizer NORMALIZER = new CloudTrailNormalizer();

    @Override
    public String id() {
        return ID;
    }

    /** The jar manifest's Implementation-Version (the Maven project version). */
    @Override
    public String version() {
        String v = AwsProviderFactory.class.getPackage().getImplementationVersion();
        return v == null ? UNPACKAGED_VERSION : v;
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

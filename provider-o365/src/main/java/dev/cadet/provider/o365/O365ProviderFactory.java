package dev.cadet.provider.o365;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.SpiVersion;
import dev.cadet.provider.o365.config.O365SettingsReader;
import dev.cadet.provider.o365.normalize.O365Normalizer;
import java.time.Clock;

/**
 * The {@code o365} provider: the Office 365 Management Activity API per (tenant, content type), and
 * the normalizer of its audit records. See {@link O365SettingsReader} for the config keys.
 */
public final class O365ProviderFactory implements ProviderFactory {

    public static final String ID = "o365";
    private static final O365Normalizer NORMALIZER = new O365Normalizer();

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
        return create(config, Clock.systemUTC());
    }

    /** For tests: with the clock the source checks expirations and skew against. */
    public Provider create(ProviderConfig config, Clock clock) {
        try {
            return O365SettingsReader.read(config).map(s -> (Provider) new O365Provider(s, clock)).orElse(null);
        } catch (IllegalArgumentException e) {
            config.problem("ca_file", e.getMessage());
            return null;
        }
    }
}

package dev.cadet.collector;

/**
 * Entry point of a provider plugin, found with {@link java.util.ServiceLoader} in the plugin's own
 * class loader ({@code META-INF/services/dev.cadet.collector.ProviderFactory}).
 *
 * <p>Threading: the host calls every method from its start-up thread, with the thread context class
 * loader set to the plugin's loader.
 */
public interface ProviderFactory {

    /** The key of this provider under {@code providers:} in the config, e.g. {@code aws}. */
    String id();

    /** What {@link #version()} says when the plugin runs from class folders (tests, an IDE), not a jar. */
    String UNPACKAGED_VERSION = "development";

    /**
     * The plugin's own version, shown by {@code cadet plugins}: by default the Implementation-Version
     * of the jar that holds the factory (the build writes the Maven project version there).
     */
    default String version() {
        String v = getClass().getPackage().getImplementationVersion();
        return v == null ? UNPACKAGED_VERSION : v;
    }

    /**
     * The SPI major version this plugin was compiled against: implement it as
     * {@code return SpiVersion.MAJOR;}. javac copies that constant into the plugin's own class, so a
     * plugin built for another SPI reports the version it was built for (a default method here would
     * report the host's and could never be refused).
     */
    int spiMajorVersion();

    /**
     * The normalizer for this provider's records. Stateless and thread-safe. The host also uses it
     * without any provider config, to route exported records (replay, the drop folder) by their shape.
     */
    Normalizer normalizer();

    /**
     * Builds a provider for one config entry ({@code providers.<id>[i]}). Problems in the entry are
     * reported with {@link ProviderConfig#problem}; the host checks them (and unread keys) after this
     * returns and refuses to start if there are any. May return {@code null} only if it reported a problem.
     */
    Provider create(ProviderConfig config);
}

package dev.cadet.plugin;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.SpiVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider plugins found in the plugins directory. Each sub-directory is one plugin: its
 * {@code *.jar} files (sorted by name) form the class path of its own {@link PluginClassLoader},
 * and its {@link ProviderFactory}s are found with {@link ServiceLoader} in that loader.
 *
 * <p>A plugin that cannot be loaded (no jar, no factory, a bad jar, a class that fails to load, an SPI
 * major version other than {@link SpiVersion#MAJOR}) is logged and kept as {@link BrokenPlugin}; it
 * becomes an error only when the config uses it ({@link #factory}).
 *
 * <p>Every factory handed out calls into the plugin with the thread context class loader set to the
 * plugin's loader, including the providers, sources and normalizers it returns.
 */
public final class PluginRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

    /**
     * A loaded provider plugin, for {@code cadet plugins} and status.
     *
     * @param id         the provider id ({@code providers.<id>} in the config)
     * @param version    the plugin's own version
     * @param spiVersion the SPI major version it was built against
     * @param dir        its directory
     */
    public record LoadedPlugin(String id, String version, int spiVersion, Path dir) {
    }

    /**
     * A plugin directory that could not be used.
     *
     * @param name   the directory name, which is the provider id by convention
     * @param reason why, e.g. "no jar files" or the failing class
     */
    public record BrokenPlugin(String name, Path dir, String reason) {
    }

    private final Path pluginsDir;
    private final Map<String, ProviderFactory> factories;
    private final Map<String, LoadedPlugin> loaded;
    private final Map<String, BrokenPlugin> broken;
    private final List<PluginClassLoader> loaders;

    private PluginRegistry(Path pluginsDir, Map<String, ProviderFactory> factories, Map<String, LoadedPlugin> loaded,
                           Map<String, BrokenPlugin> broken, List<PluginClassLoader> loaders) {
        this.pluginsDir = pluginsDir;
        this.factories = factories;
        this.loaded = loaded;
        this.broken = broken;
        this.loaders = loaders;
    }

    /**
     * Loads every plugin under {@code pluginsDir}. Never fails because of one plugin; a missing
     * plugins directory gives an empty registry (and an error later if the config names a provider).
     */
    public static PluginRegistry load(Path pluginsDir) {
        ClassLoader host = PluginRegistry.class.getClassLoader();
        Map<String, ProviderFactory> factories = new TreeMap<>();
        Map<String, LoadedPlugin> loaded = new TreeMap<>();
        Map<String, BrokenPlugin> broken = new TreeMap<>();
        List<PluginClassLoader> loaders = new ArrayList<>();
        for (Path dir : pluginDirs(pluginsDir)) {
            String name = dir.getFileName().toString();
            try {
                List<URL> jars = jars(dir);
                PluginClassLoader loader = new PluginClassLoader(name, jars, host);
                loaders.add(loader);
                List<ProviderFactory> found = discover(loader);
                if (found.isEmpty()) {
                    throw new PluginLoadException("no " + ProviderFactory.class.getName()
                            + " service in its jars (META-INF/services/" + ProviderFactory.class.getName() + ")");
                }
                for (ProviderFactory f : found) {
                    String id = f.id();
                    int spi = f.spiMajorVersion();
                    if (spi != SpiVersion.MAJOR) {
                        throw new PluginLoadException("provider \"" + id + "\" was built for SPI major version " + spi
                                + ", but this cadet provides SPI version " + SpiVersion.text()
                                + " (major " + SpiVersion.MAJOR + "): use a build of the plugin for this cadet");
                    }
                    LoadedPlugin other = loaded.get(id);
                    if (other != null) {
                        throw new PluginLoadException("provider \"" + id + "\" is already provided by " + other.dir());
                    }
                }
                for (ProviderFactory f : found) {
                    factories.put(f.id(), f);
                    loaded.put(f.id(), new LoadedPlugin(f.id(), f.version(), f.spiMajorVersion(), dir));
                    log.info("plugin {} loaded from {}: provider \"{}\" version {}", name, dir, f.id(), f.version());
                }
            } catch (PluginLoadException | IOException | RuntimeException | LinkageError | java.util.ServiceConfigurationError e) {
                String reason = describe(e);
                broken.put(name, new BrokenPlugin(name, dir, reason));
                log.warn("plugin {} ({}) skipped: {}", name, dir, reason);
            }
        }
        return new PluginRegistry(pluginsDir, factories, loaded, broken, loaders);
    }

    private static List<ProviderFactory> discover(PluginClassLoader loader) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            List<ProviderFactory> out = new ArrayList<>();
            for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class, loader)) {
                out.add(new PluginBoundFactory(f, loader));
            }
            return out;
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private static List<Path> pluginDirs(Path pluginsDir) {
        if (!Files.isDirectory(pluginsDir)) {
            log.warn("plugins directory {} does not exist", pluginsDir);
            return List.of();
        }
        try (Stream<Path> s = Files.list(pluginsDir)) {
            List<Path> dirs = new ArrayList<>();
            for (Path p : s.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    dirs.add(p);
                } else {
                    log.warn("ignoring {}: a plugin is a directory of jars", p);
                }
            }
            return dirs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugins directory " + pluginsDir, e);
        }
    }

    private static List<URL> jars(Path dir) throws IOException, PluginLoadException {
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path jar : s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                // Opening it checks that it is a jar now, with its name, rather than as a missing class later.
                try (JarFile ignored = new JarFile(jar.toFile())) {
                    urls.add(jar.toUri().toURL());
                } catch (IOException e) {
                    throw new PluginLoadException("bad jar " + jar.getFileName() + ": " + e.getMessage());
                }
            }
        } catch (MalformedURLException e) {
            throw new PluginLoadException("bad jar path in " + dir + ": " + e.getMessage());
        }
        if (urls.isEmpty()) {
            throw new PluginLoadException("no jar files in " + dir);
        }
        return urls;
    }

    private static String describe(Throwable e) {
        if (e instanceof PluginLoadException) {
            return e.getMessage();
        }
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            sb.append("; caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }

    /** The directory the plugins were loaded from. */
    public Path pluginsDir() {
        return pluginsDir;
    }

    /**
     * The factory serving {@code providers.<id>} in the config.
     *
     * @throws PluginLoadException when no loaded plugin provides it, saying why: the plugin of that
     *                             name is broken (with its reason), or none provides it
     */
    public ProviderFactory factory(String id) throws PluginLoadException {
        ProviderFactory f = factories.get(id);
        if (f != null) {
            return f;
        }
        BrokenPlugin b = broken.get(id);
        if (b != null) {
            throw new PluginLoadException("plugin \"" + id + "\" (" + b.dir() + ") could not be loaded: " + b.reason());
        }
        String hint = broken.isEmpty() ? "" : "; plugins that could not be loaded: " + String.join(", ", broken.keySet());
        throw new PluginLoadException("no plugin provides \"" + id + "\" in plugins dir " + pluginsDir
                + " (loaded: " + (loaded.isEmpty() ? "none" : String.join(", ", loaded.keySet())) + hint + ")");
    }

    /** The loaded plugins, by provider id. */
    public Collection<LoadedPlugin> loaded() {
        return List.copyOf(loaded.values());
    }

    /** The plugin directories that could not be loaded, by name. */
    public Collection<BrokenPlugin> broken() {
        return List.copyOf(broken.values());
    }

    /** The normalizer of the first provider (by id) that recognizes the record's shape. */
    public Optional<Normalizer> route(RawRecord record) {
        return route(record, null);
    }

    /**
     * As {@link #route(RawRecord)}, among the given provider ids only (null: all). A normalizer that
     * throws while testing counts as not recognizing the record.
     */
    public Optional<Normalizer> route(RawRecord record, Collection<String> ids) {
        for (Map.Entry<String, ProviderFactory> e : factories.entrySet()) {
            if (ids != null && !ids.contains(e.getKey())) {
                continue;
            }
            Normalizer n = e.getValue().normalizer();
            if (n == null) {
                continue;
            }
            try {
                if (n.recognizes(record)) {
                    return Optional.of(n);
                }
            } catch (RuntimeException | LinkageError ex) {
                log.warn("normalizer of \"{}\" failed on a record from {}: {}", e.getKey(), record.origin(), describe(ex));
            }
        }
        return Optional.empty();
    }

    /** Closes the plugins' class loaders (their jar files). Call after every provider is closed. */
    @Override
    public void close() {
        for (PluginClassLoader l : loaders) {
            try {
                l.close();
            } catch (IOException e) {
                log.warn("closing {}: {}", l, e.getMessage());
            }
        }
    }
}

package dev.cadet.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin. The whole isolation rule:
 * <ul>
 * <li>the SPI ({@code dev.cadet.collector.}) and SLF4J ({@code org.slf4j.}) come from the host, so
 *     casts work and plugin logs reach the host's logging;</li>
 * <li>JDK classes come from the platform class loader (the parent) when it has them;</li>
 * <li>everything else comes from the plugin's own jars first, so a plugin may carry its own Jackson
 *     or HTTP client whatever version the host uses. The host's application class path is invisible.</li>
 * </ul>
 * Resources follow the same rule, except that SPI service files
 * ({@code META-INF/services/dev.cadet.collector.*}) come only from the plugin's jars, so a plugin
 * never sees another plugin's or the host's factories.
 */
public final class PluginClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    /** Class name prefixes loaded from the host's class loader. */
    private static final List<String> HOST_PACKAGES = List.of("dev.cadet.collector.", "org.slf4j.");
    /** Class name prefixes the JDK may define: asked of the platform loader first. */
    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.", "org.ietf.");
    private static final String SPI_SERVICES = "META-INF/services/dev.cadet.collector.";

    private final String pluginName;
    private final ClassLoader host;

    /**
     * @param pluginName for diagnostics (the plugin's directory name)
     * @param jars       the plugin's class path
     * @param host       the loader that has the SPI and SLF4J (the daemon's)
     */
    public PluginClassLoader(String pluginName, List<URL> jars, ClassLoader host) {
        super("plugin-" + pluginName, jars.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        this.pluginName = pluginName;
        this.host = host;
    }

    public String pluginName() {
        return pluginName;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isHostClass(name)) {
            return host.loadClass(name);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = startsWithAny(name, JDK_PACKAGES) ? parentThenOwn(name) : ownThenParent(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private Class<?> ownThenParent(String name) throws ClassNotFoundException {
        try {
            return findClass(name);
        } catch (ClassNotFoundException e) {
            return getParent().loadClass(name);
        }
    }

    private Class<?> parentThenOwn(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            return findClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        if (name.startsWith(SPI_SERVICES)) {
            return findResource(name);
        }
        if (isHostResource(name)) {
            return host.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith(SPI_SERVICES)) {
            return findResources(name);
        }
        if (isHostResource(name)) {
            return host.getResources(name);
        }
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    static boolean isHostClass(String className) {
        return startsWithAny(className, HOST_PACKAGES);
    }

    private static boolean isHostResource(String resourceName) {
        return isHostClass(resourceName.replace('/', '.'));
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + pluginName + "]";
    }
}

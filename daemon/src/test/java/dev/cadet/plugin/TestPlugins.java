package dev.cadet.plugin;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.ProviderFactory;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds provider plugins at test time: compiles Java sources against the SPI and jars them into a plugin dir. */
public final class TestPlugins {

    private TestPlugins() {
    }

    /** Where collector-api's classes are on the test class path. */
    public static Path spiClasses() {
        try {
            return Path.of(ProviderFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compiles {@code sources} (class name to source text) against the SPI plus {@code libs}, and writes
     * {@code <pluginDir>/<jarName>} with the classes and a service file naming {@code factoryClass}.
     * The libs are copied into the plugin dir too.
     */
    public static Path build(Path pluginDir, String jarName, Map<String, String> sources, String factoryClass,
                             List<Path> libs) throws IOException {
        Files.createDirectories(pluginDir);
        Path work = Files.createTempDirectory("plugin-src");
        Path srcDir = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        StringBuilder cp = new StringBuilder(spiClasses().toString());
        for (Path lib : libs) {
            cp.append(File.pathSeparator).append(lib);
        }
        List<String> options = List.of("--release", "17", "-proc:none", "-d", classes.toString(), "-cp", cp.toString());
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = srcDir.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        boolean ok = javac.getTask(errors, null, null, options, null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjectsFromStrings(files)).call();
        assertTrue(ok, "test plugin does not compile: " + errors);

        Path jar = pluginDir.resolve(jarName);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> classFiles = Files.walk(classes)) {
            for (Path f : classFiles.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
            if (factoryClass != null) {
                j.putNextEntry(new JarEntry("META-INF/services/" + ProviderFactory.class.getName()));
                j.write((factoryClass + "\n").getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        for (Path lib : libs) {
            Files.copy(lib, pluginDir.resolve(lib.getFileName()));
        }
        return jar;
    }

    /**
     * Source of a minimal factory class {@code pkg.Factory} with the given id and SPI major version, whose
     * {@code version()} returns {@code versionExpr} (a Java expression) and whose normalizer recognizes
     * records whose body contains {@code "marker"}.
     */
    public static Map<String, String> factorySource(String pkg, String id, int spiMajor, String versionExpr, String marker) {
        String src = """
                package %1$s;

                import dev.cadet.collector.*;
                import java.util.List;

                public class Factory implements ProviderFactory {
                    public String id() { return "%2$s"; }
                    public String version() { return %4$s; }
                    public int spiMajorVersion() { return %3$d; }
                    public Normalizer normalizer() {
                        return new Normalizer() {
                            public boolean recognizes(RawRecord r) { return r.body().contains("%5$s"); }
                            public List<Event> normalize(RawRecord r) {
                                return List.of(Event.builder("x", java.time.Instant.EPOCH, RawView.empty())
                                        .put("loader", String.valueOf(Thread.currentThread().getContextClassLoader())).build());
                            }
                        };
                    }
                    public Provider create(ProviderConfig config) {
                        String region = config.string("region", "us-east-1");
                        if (!java.util.Set.of("us-east-1", "eu-west-1").contains(region)) {
                            config.problem("region", "unknown region \\"" + region + "\\"");
                            return null;
                        }
                        return new Provider() {
                            public List<StreamSpec> streams() {
                                return List.of(new StreamSpec("%2$s/" + region, "test", TimeAxis.EVENT_TIME,
                                        java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(1),
                                        java.time.Duration.ofHours(1), java.time.Duration.ofDays(90),
                                        java.time.Duration.ofDays(7), QuotaScope.unlimited("q"), null));
                            }
                            public Source source() {
                                return (stream, window, context) -> context.warn(
                                        "tccl=" + Thread.currentThread().getContextClassLoader());
                            }
                        };
                    }
                }
                """.formatted(pkg, id, spiMajor, versionExpr, marker);
        return Map.of(pkg + ".Factory", src);
    }

    /** A working plugin dir {@code <pluginsDir>/<id>} with a factory of that id. */
    public static Path simple(Path pluginsDir, String id, String marker) throws IOException {
        Path dir = pluginsDir.resolve(id);
        build(dir, id + ".jar", factorySource("test." + id, id, 1, "\"1.2.3\"", marker), "test." + id + ".Factory", List.of());
        return dir;
    }
}

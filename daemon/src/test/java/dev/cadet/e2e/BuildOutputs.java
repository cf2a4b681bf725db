package dev.cadet.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the integration tests (run by failsafe after {@code package}) find what the build made. */
final class BuildOutputs {
    private BuildOutputs() {
    }

    /** The checkout's root (the directory of the root pom and {@code mvnw}). */
    static Path projectRoot() {
        return Path.of(property("cadet.project.root")).toAbsolutePath().normalize();
    }

    /** The checkout's rule pack ({@code conf/rules}), as the tests' rules. */
    static Path ruleDir() {
        return projectRoot().resolve("conf/rules");
    }

    /** {@code daemon/target}. */
    static Path buildDir() {
        return Path.of(property("cadet.build.dir"));
    }

    /** The one {@code cadet_<version>_all.deb} of this build. */
    static Path deb() throws IOException {
        try (Stream<Path> s = Files.list(buildDir())) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("cadet_.*_all\\.deb")).toList();
            if (debs.size() != 1) {
                throw new IllegalStateException("expected one cadet_*_all.deb in " + buildDir() + ", found " + debs);
            }
            return debs.get(0);
        }
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new IllegalStateException("system property " + name + " is not set (integration tests run through Maven failsafe)");
        }
        return v;
    }
}

package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code .deb} the build makes: its control data, content list and maintainer scripts, read with
 * commons-compress (no dpkg needed); then unpacked (with {@code dpkg-deb -x} where dpkg exists) and
 * the daemon started from that layout on the demo config.
 */
class DebPackageIT {
    /** One member of a tar: its mode, whether a directory, its link target, its bytes (files only). */
    record Member(int mode, boolean directory, String linkTarget, byte[] content) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    static Map<String, Member> control;
    static Map<String, Member> data;

    @TempDir
    Path dir;

    @BeforeAll
    static void readDeb() throws IOException {
        Map<String, byte[]> ar = new LinkedHashMap<>();
        try (ArArchiveInputStream in = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(BuildOutputs.deb())))) {
            for (ArArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                ar.put(e.getName(), in.readAllBytes());
            }
        }
        assertEquals(List.of("debian-binary", "control.tar.gz", "data.tar.gz"), List.copyOf(ar.keySet()), "ar members in dpkg's order");
        assertEquals("2.0\n", new String(ar.get("debian-binary"), StandardCharsets.US_ASCII));
        control = tar(ar.get("control.tar.gz"));
        data = tar(ar.get("data.tar.gz"));
    }

    private static Map<String, Member> tar(byte[] gz) throws IOException {
        Map<String, Member> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(gz)))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                // "./usr/share/" -> "/usr/share"
                String name = e.getName().replaceFirst("^\\./", "/").replaceFirst("(.)/$", "$1");
                out.put(name, new Member(e.getMode() & 07777, e.isDirectory(), e.isSymbolicLink() ? e.getLinkName() : null,
                        e.isFile() ? in.readAllBytes() : new byte[0]));
            }
        }
        return out;
    }

    private static Map<String, String> controlFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : control.get("/control").text().split("\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith(" ") && colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    @Test
    void controlDeclaresThePackageAndAJava17Runtime() {
        Map<String, String> f = controlFields();
        assertEquals("cadet", f.get("Package"));
        assertEquals("all", f.get("Architecture"));
        assertTrue(f.get("Version").startsWith("0.") || f.get("Version").matches("\\d.*"), f.toString());
        assertTrue(f.get("Depends").contains("default-jre-headless (>= 2:1.17) | java17-runtime-headless"), f.get("Depends"));
        assertTrue(f.get("Depends").contains("adduser"), "postinst runs adduser: " + f.get("Depends"));
        for (String script : List.of("/postinst", "/prerm", "/postrm")) {
            Member m = control.get(script);
            assertTrue(m != null, script + " missing: " + control.keySet());
            assertEquals(0755, m.mode(), script);
            assertTrue(m.text().startsWith("#!/bin/sh\n"), script);
            assertTrue(m.text().contains("set -e"), script);
        }
    }

    @Test
    void layoutUnderUsrShareEtcVarAndTheUnit() throws IOException {
        Path dist = AwsPipeline.distDir();
        assertEquals(0755, data.get("/usr/share/cadet/bin/cadet").mode());
        // Everything of the distribution's lib/ and plugins/, the daemon jar included.
        for (String sub : List.of("lib", "plugins")) {
            try (Stream<Path> s = Files.walk(dist.resolve(sub))) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String name = "/usr/share/cadet/" + dist.relativize(p).toString().replace('\\', '/');
                    assertTrue(data.containsKey(name), name + " not in the .deb");
                }
            }
        }
        assertTrue(data.containsKey("/usr/share/cadet/lib/cadet-daemon.jar"));
        assertTrue(data.keySet().stream().anyMatch(n -> n.startsWith("/usr/share/cadet/plugins/aws/")), "aws plugin");
        assertTrue(data.keySet().stream().anyMatch(n -> n.startsWith("/usr/share/cadet/conf/samples/")), "demo samples");

        assertEquals(Files.readString(BuildOutputs.projectRoot().resolve("conf/systemd/cadet.service")),
                data.get("/usr/lib/systemd/system/cadet.service").text(), "the unit is conf/systemd/cadet.service");
        for (String d : List.of("/var/lib/cadet", "/var/log/cadet", "/etc/cadet/rules.d", "/etc/cadet/exceptions")) {
            assertTrue(data.containsKey(d) && data.get(d).directory(), d + " directory");
        }
        assertEquals("../share/cadet/bin/cadet", data.get("/usr/bin/cadet").linkTarget());
        assertEquals("../../../../etc/cadet/rules", data.get("/usr/share/cadet/conf/rules").linkTarget());
        assertEquals("../../../../etc/cadet/cadet.yaml", data.get("/usr/share/cadet/conf/cadet.yaml").linkTarget());
        for (Map.Entry<String, Member> e : data.entrySet()) {
            assertFalse(e.getKey().contains("/target/") || e.getKey().endsWith(".db"), "stray file " + e.getKey());
        }
    }

    @Test
    void configRulesAndExceptionsAreExactlyTheConffiles() {
        Set<String> conffiles = new TreeSet<>(List.of(control.get("/conffiles").text().strip().split("\n")));
        Set<String> underEtc = data.entrySet().stream()
                .filter(e -> e.getKey().startsWith("/etc/") && !e.getValue().directory() && e.getValue().linkTarget() == null)
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(underEtc, conffiles);
        assertTrue(conffiles.contains("/etc/cadet/cadet.yaml"), conffiles.toString());
        assertTrue(conffiles.stream().anyMatch(c -> c.startsWith("/etc/cadet/rules/")), conffiles.toString());
    }

    @Test
    void maintainerScriptsCreateTheUserOnceKeepConfigOnUpgradeAndPurgeEverything() throws Exception {
        Path root = dir.resolve("root");
        unpack(root);
        Path bin = Files.createDirectories(dir.resolve("fake-bin"));
        Path log = dir.resolve("calls.log");
        Path users = Files.createDirectories(dir.resolve("users"));
        // Stand-ins for the tools that change the host (users, ownership, systemd), logging their calls.
        fake(bin, "getent", "[ -e \"" + users + "/$2\" ] && echo \"$2:x:999:999::/var/lib/cadet:/usr/sbin/nologin\"");
        fake(bin, "adduser", "echo \"adduser $*\" >> " + log + "; for a; do last=$a; done; touch \"" + users + "/$last\"");
        fake(bin, "deluser", "echo \"deluser $*\" >> " + log + "; for a; do last=$a; done; rm -f \"" + users + "/$last\"");
        fake(bin, "delgroup", "echo \"delgroup $*\" >> " + log);
        fake(bin, "chown", "echo \"chown $*\" >> " + log);
        fake(bin, "systemctl", "echo \"systemctl $*\" >> " + log);
        fake(bin, "deb-systemd-helper", "echo \"deb-systemd-helper $*\" >> " + log);

        script(root, bin, "postinst", "configure", "");
        List<String> calls = Files.readAllLines(log);
        assertTrue(calls.contains("adduser --system --group --no-create-home --home /var/lib/cadet --quiet cadet"), calls.toString());
        assertTrue(calls.contains("chown -R root:cadet " + root + "/etc/cadet"), calls.toString());
        assertTrue(calls.contains("chown cadet:cadet " + root + "/var/lib/cadet"), calls.toString());
        assertTrue(calls.contains("deb-systemd-helper update-state cadet.service"), calls.toString());
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("systemctl")), "no systemctl into a foreign root: " + calls);
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/lib/cadet"))));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/cadet/cadet.yaml"))));

        // Upgrade: the user exists already; config and state stay.
        Files.writeString(root.resolve("var/lib/cadet/cadet.db"), "state");
        Files.writeString(root.resolve("etc/cadet/cadet.yaml"), "# edited by the operator\n");
        script(root, bin, "prerm", "upgrade", "0.1.1");
        script(root, bin, "postrm", "upgrade", "0.1.1");
        script(root, bin, "postinst", "configure", "0.1.0");
        calls = Files.readAllLines(log);
        assertEquals(1, calls.stream().filter(c -> c.startsWith("adduser")).count(), "adduser only once: " + calls);
        assertEquals("state", Files.readString(root.resolve("var/lib/cadet/cadet.db")));
        assertEquals("# edited by the operator\n", Files.readString(root.resolve("etc/cadet/cadet.yaml")));

        // Remove keeps config and state; purge deletes them and the user.
        script(root, bin, "prerm", "remove");
        script(root, bin, "postrm", "remove");
        assertTrue(Files.exists(root.resolve("var/lib/cadet/cadet.db")) && Files.exists(root.resolve("etc/cadet/cadet.yaml")));
        script(root, bin, "postrm", "purge");
        assertFalse(Files.exists(root.resolve("etc/cadet")), "purge removes /etc/cadet");
        assertFalse(Files.exists(root.resolve("var/lib/cadet")), "purge removes /var/lib/cadet");
        calls = Files.readAllLines(log);
        assertTrue(calls.contains("deluser --system --quiet cadet"), calls.toString());
        assertTrue(calls.contains("deb-systemd-helper purge cadet.service"), calls.toString());
        assertTrue(Files.exists(root.resolve("usr/share/cadet/bin/cadet")), "postrm leaves dpkg's files to dpkg");
    }

    @Test
    void theDaemonStartsFromTheUnpackedLayoutOnTheDemoConfig() throws Exception {
        Path root = dir.resolve("root");
        unpack(root);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path launcher = root.resolve("usr/bin/cadet");
        assertTrue(Files.isSymbolicLink(launcher));

        // Through the /usr/share/cadet/conf/rules -> /etc/cadet/rules link.
        Cli.Run rules = ChildDaemon.runToEnd(launcher, work, Map.of(), "rules", "check", root.resolve("usr/share/cadet/conf/rules").toString());
        assertEquals(0, rules.exit(), rules.toString());

        Cli.Run plugins = ChildDaemon.runToEnd(launcher, work, Map.of(), "plugins");
        assertEquals(0, plugins.exit(), plugins.toString());
        assertTrue(plugins.out().contains(root.resolve("usr/share/cadet/plugins").toRealPath().toString()), plugins.toString());

        try (ChildDaemon d = ChildDaemon.start(launcher, work, Map.of(), "run")) {
            d.await("a CEF alert on stdout", Duration.ofSeconds(60), () -> {
                try {
                    return d.stdout().contains("CEF:0|cadet|cadet|");
                } catch (IOException e) {
                    return false;
                }
            });
            int exit = d.stop(Duration.ofSeconds(30));
            assertEquals(143, exit, d.output());
        }
        assertTrue(Files.exists(work.resolve("data/cadet.db")), "the demo config keeps state in ./data");
    }

    /** dpkg-deb -x where dpkg exists (CI), else the same from the archive read here. */
    private void unpack(Path root) throws Exception {
        Files.createDirectories(root);
        if (onPath("dpkg-deb")) {
            Process p = new ProcessBuilder("dpkg-deb", "-x", BuildOutputs.deb().toString(), root.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "dpkg-deb -x: " + out);
            return;
        }
        System.out.println("DebPackageIT: dpkg-deb not found; unpacking the .deb with commons-compress instead");
        for (Map.Entry<String, Member> e : data.entrySet()) {
            Path target = root.resolve(e.getKey().substring(1));
            Member m = e.getValue();
            if (m.directory()) {
                Files.createDirectories(target);
            } else if (m.linkTarget() != null) {
                Files.createDirectories(target.getParent());
                Files.createSymbolicLink(target, Path.of(m.linkTarget()));
            } else {
                Files.createDirectories(target.getParent());
                Files.write(target, m.content());
            }
            if (!Files.isSymbolicLink(target)) {
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(perms(m.mode())));
            }
        }
    }

    private static String perms(int mode) {
        StringBuilder sb = new StringBuilder();
        String rwx = "rwx";
        for (int i = 8; i >= 0; i--) {
            sb.append((mode & (1 << i)) != 0 ? rwx.charAt(2 - i % 3) : '-');
        }
        return sb.toString();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void fake(Path bin, String name, String body) throws IOException {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs a maintainer script of the .deb as dpkg would with --root (DPKG_ROOT), the fakes first on PATH. */
    private void script(Path root, Path fakeBin, String name, String... args) throws Exception {
        Path s = dir.resolve(name);
        Files.write(s, control.get("/" + name).content());
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", s.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DPKG_ROOT", root.toString());
        pb.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(0, p.waitFor(), name + " " + String.join(" ", args) + ": " + out);
    }
}

package dev.cadet.forward;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.forward.cef.CefEncoder;
import dev.cadet.forward.syslog.Facility;
import dev.cadet.forward.syslog.Framing;
import dev.cadet.forward.syslog.Protocol;
import dev.cadet.forward.syslog.SyslogFormat;
import dev.cadet.forward.syslog.SyslogHeader;
import dev.cadet.forward.syslog.SyslogOutput;
import dev.cadet.forward.syslog.SyslogSettings;
import dev.cadet.forward.syslog.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds outputs from the {@code outputs:} list of the config. Problems are recorded on the entries
 * with their path (e.g. {@code outputs[0].port: must be between 1 and 65535, got 0}); an entry with a
 * problem yields no output, so the caller checks {@link ProviderConfig#problems()} before running.
 *
 * <pre>
 * - type: syslog              # syslog | stdout | file
 *   name: siem                # unique; default: the type
 *   host: siem.example.com
 *   port: 6514                # default 514 (udp, tcp), 6514 (tls)
 *   protocol: tls             # udp | tcp | tls (default udp)
 *   framing: octet-counting   # lf | octet-counting; default lf on tcp, octet-counting on tls
 *   format: rfc5424           # rfc3164 | rfc5424; default rfc3164 on udp/tcp, rfc5424 on tls
 *   bom: false                # RFC 5424 BOM before MSG
 *   facility: local4
 *   app_name: cadet
 *   hostname: ...             # default: this host's name
 *   max_frame_bytes: 8192     # default 2048 on udp, 8192 on tcp/tls
 *   connect_timeout: 10s
 *   tls: {ca_file: /etc/cadet/siem-ca.pem, client_cert: ..., client_key: ...,
 *         client_key_password: ${file:/run/credentials/cadet/key-pass}, verify_hostname: true, server_name: ...}
 * - type: stdout
 *   format: json              # json | cef
 * - type: file
 *   path: /var/lib/cadet/alerts.jsonl
 *   fsync: true
 * </pre>
 */
public final class Outputs {
    private Outputs() {
    }

    public static List<Output> fromConfig(List<ProviderConfig> entries) {
        return fromConfig(entries, CefEncoder.forThisBuild(), Clock.systemDefaultZone());
    }

    public static List<Output> fromConfig(List<ProviderConfig> entries, CefEncoder encoder, Clock clock) {
        List<Output> outputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ProviderConfig c : entries) {
            String type = c.choice("type", null, List.of("syslog", "stdout", "file"));
            if (type == null) {
                if (!c.has("type")) {
                    c.problem("type", "missing (expected one of syslog, stdout, file)");
                }
                continue;
            }
            String name = c.string("name", type);
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                c.problem("name", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
                continue;
            }
            if (!names.add(name)) {
                c.problem("name", "duplicate output name \"" + name + "\": give each output its own name");
            }
            Output o = switch (type) {
                case "syslog" -> syslog(c, name, encoder, clock);
                case "stdout" -> new StdoutOutput(name, System.out,
                        StdoutOutput.Format.valueOf(c.choice("format", "json", List.of("json", "cef")).toUpperCase(Locale.ROOT)),
                        encoder);
                default -> file(c, name);
            };
            if (o != null && !hasProblems(c)) {
                outputs.add(o);
            }
        }
        return outputs;
    }

    /** Problems (including unknown keys) under this entry's own path; siblings may share the list. */
    private static boolean hasProblems(ProviderConfig c) {
        return c.problems().stream().anyMatch(p -> p.startsWith(c.path() + ".") || p.startsWith(c.path() + ":"));
    }

    private static Output file(ProviderConfig c, String name) {
        String path = c.requireString("path");
        boolean fsync = c.bool("fsync", true);
        if (path == null) {
            return null;
        }
        Path p = Path.of(path);
        Path dir = p.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            c.problem("path", "directory " + dir + " does not exist");
            return null;
        }
        return new FileOutput(name, p, fsync);
    }

    private static Output syslog(ProviderConfig c, String name, CefEncoder encoder, Clock clock) {
        String host = c.requireString("host");
        Protocol protocol = Protocol.valueOf(c.choice("protocol", "udp", List.of("udp", "tcp", "tls")).toUpperCase(Locale.ROOT));
        int port = c.integer("port", protocol == Protocol.TLS ? 6514 : 514, 1, 65535);
        Framing framing = c.choice("framing", protocol == Protocol.TLS ? "octet-counting" : "lf",
                List.of("lf", "octet-counting")).equals("lf") ? Framing.LF : Framing.OCTET_COUNTING;
        if (protocol == Protocol.UDP && c.has("framing")) {
            c.problem("framing", "applies to tcp and tls only (udp sends one message per datagram)");
        }
        SyslogFormat format = SyslogFormat.valueOf(c.choice("format", protocol == Protocol.TLS ? "rfc5424" : "rfc3164",
                List.of("rfc3164", "rfc5424")).toUpperCase(Locale.ROOT));
        boolean bom = c.bool("bom", false);
        if (bom && format != SyslogFormat.RFC5424) {
            c.problem("bom", "applies to format rfc5424 only");
        }
        Facility facility = c.parsed("facility", Facility::parse).orElse(Facility.LOCAL4);
        String appName = c.string("app_name", "cadet");
        String hostname = c.string("hostname").orElseGet(Outputs::localHostname);
        int maxFrame = c.integer("max_frame_bytes", protocol == Protocol.UDP
                ? SyslogSettings.DEFAULT_UDP_FRAME_BYTES : SyslogSettings.DEFAULT_STREAM_FRAME_BYTES,
                SyslogSettings.MIN_FRAME_BYTES, 1024 * 1024);
        Duration connectTimeout = c.duration("connect_timeout", Duration.ofSeconds(10));
        if (connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
            c.problem("connect_timeout", "must be more than 0");
            connectTimeout = Duration.ofSeconds(10);
        }
        TlsSettings tls = null;
        if (protocol == Protocol.TLS) {
            tls = c.object("tls").map(Outputs::tls).orElse(TlsSettings.defaults());
        } else if (c.has("tls")) {
            c.problem("tls", "applies to protocol tls only");
        }
        if (host == null) {
            return null;
        }
        SyslogHeader header;
        try {
            header = new SyslogHeader(format, facility, hostname, appName,
                    String.valueOf(ProcessHandle.current().pid()), bom, ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            c.problem(e.getMessage().startsWith("hostname") ? "hostname" : "app_name", e.getMessage());
            return null;
        }
        try {
            return new SyslogOutput(name, new SyslogSettings(host, port, protocol, framing, header, maxFrame, tls,
                    connectTimeout), encoder, clock);
        } catch (IllegalArgumentException e) {
            c.problem("tls", e.getMessage());
            return null;
        }
    }

    private static TlsSettings tls(ProviderConfig t) {
        Path ca = t.string("ca_file").map(Path::of).orElse(null);
        Path cert = t.string("client_cert").map(Path::of).orElse(null);
        Path key = t.string("client_key").map(Path::of).orElse(null);
        var password = t.secret("client_key_password").orElse(null);
        boolean verify = t.bool("verify_hostname", true);
        String serverName = t.string("server_name").orElse(null);
        checkReadable(t, "ca_file", ca);
        checkReadable(t, "client_cert", cert);
        checkReadable(t, "client_key", key);
        if (key != null && cert == null) {
            t.problem("client_key", "given without client_cert");
        }
        return new TlsSettings(ca, cert, key, password, verify, serverName);
    }

    private static void checkReadable(ProviderConfig c, String key, Path file) {
        if (file != null && !Files.isReadable(file)) {
            c.problem(key, "cannot read " + file);
        }
    }

    /** This host's name without a DNS lookup; "localhost" when unknown. */
    static String localHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}

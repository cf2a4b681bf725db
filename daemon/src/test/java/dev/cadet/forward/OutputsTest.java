package dev.cadet.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.AlertJson;
import dev.cadet.alert.Severity;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import dev.cadet.forward.cef.CefEncoder;
import dev.cadet.forward.cef.StrictCefParser;
import dev.cadet.forward.syslog.Facility;
import dev.cadet.forward.syslog.Framing;
import dev.cadet.forward.syslog.Protocol;
import dev.cadet.forward.syslog.SyslogFormat;
import dev.cadet.forward.syslog.SyslogOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputsTest {
    private static final Alert ALERT = new Alert("id-1", Instant.parse("2024-01-01T00:00:00Z"), "r1", "Rule | one",
            Severity.MEDIUM, 40, List.of("T1136.003"), "aws.cloudtrail", "1234", "alice\nx", "bob", "10.0.0.1",
            List.of("e1"), false);

    private static List<ProviderConfig> entries(List<Map<String, Object>> maps) {
        ProviderConfig root = new ProviderConfig("", Map.of("outputs", maps), (kind, name) -> {
            if (kind.equals("env") && name.equals("KEY_PASS")) {
                return new Secret("${env:KEY_PASS}", () -> "s3cret-value");
            }
            throw new IllegalArgumentException("environment variable " + name + " is not set");
        });
        List<ProviderConfig> list = root.objects("outputs");
        return list;
    }

    private static List<String> problems(List<ProviderConfig> entries) {
        List<String> all = new ArrayList<>();
        entries.forEach(e -> e.problems().stream().filter(p -> !all.contains(p)).forEach(all::add));
        return all;
    }

    @Test
    void buildsEachTypeWithDefaultsByProtocol(@TempDir Path tmp) {
        List<ProviderConfig> c = entries(List.of(
                Map.of("type", "syslog", "name", "siem-udp", "host", "127.0.0.1"),
                Map.of("type", "syslog", "name", "siem-tls", "host", "localhost", "protocol", "tls",
                        "facility", "local7", "tls", Map.of("verify_hostname", true)),
                Map.of("type", "syslog", "name", "siem-tcp", "host", "h", "protocol", "tcp", "port", 1514,
                        "framing", "octet-counting", "format", "rfc5424", "bom", true, "max_frame_bytes", 4096),
                Map.of("type", "stdout", "format", "cef"),
                Map.of("type", "file", "path", tmp.resolve("alerts.jsonl").toString())));
        List<Output> outputs = Outputs.fromConfig(c, new CefEncoder("1"), Clock.systemUTC());
        assertEquals(List.of(), problems(c));
        assertEquals(List.of("siem-udp", "siem-tls", "siem-tcp", "stdout", "file"), outputs.stream().map(Output::name).toList());

        var udp = ((SyslogOutput) outputs.get(0)).settings();
        assertEquals(Protocol.UDP, udp.protocol());
        assertEquals(514, udp.port());
        assertEquals(2048, udp.maxFrameBytes());
        assertEquals(SyslogFormat.RFC3164, udp.header().format());
        assertEquals(Facility.LOCAL4, udp.header().facility());

        var tls = ((SyslogOutput) outputs.get(1)).settings();
        assertEquals(6514, tls.port());
        assertEquals(Framing.OCTET_COUNTING, tls.framing());
        assertEquals(SyslogFormat.RFC5424, tls.header().format());
        assertEquals(8192, tls.maxFrameBytes());
        assertEquals(Facility.LOCAL7, tls.header().facility());
        assertTrue(tls.tls().verifyHostname());

        var tcp = ((SyslogOutput) outputs.get(2)).settings();
        assertEquals(1514, tcp.port());
        assertEquals(4096, tcp.maxFrameBytes());
        assertTrue(tcp.header().bom());
        assertInstanceOf(StdoutOutput.class, outputs.get(3));
        assertInstanceOf(FileOutput.class, outputs.get(4));
    }

    @Test
    void reportsEveryProblemWithItsPathAndNeverTheSecret(@TempDir Path tmp) {
        List<ProviderConfig> c = entries(List.of(
                Map.of("type", "syslog", "host", "h", "port", 0, "protocol", "sctp", "facility", "local9"),
                Map.of("type", "syslog", "host", "h", "protocol", "tls", "max_frame_bytes", 100,
                        "tls", Map.of("ca_file", tmp.resolve("missing.pem").toString(),
                                "client_key_password", "s3cret-value", "verfy_hostname", false)),
                Map.of("type", "pigeon"),
                Map.of("type", "file"),
                Map.of("type", "stdout", "name", "siem", "format", "xml"),
                Map.of("type", "stdout", "name", "siem")));
        List<Output> outputs = Outputs.fromConfig(c, new CefEncoder("1"), Clock.systemUTC());
        List<String> p = problems(c);
        String all = String.join("\n", p);
        assertTrue(all.contains("outputs[0].port: must be between 1 and 65535, got 0"), all);
        assertTrue(all.contains("outputs[0].protocol: unknown value \"sctp\""), all);
        assertTrue(all.contains("outputs[0].facility: unknown facility \"local9\""), all);
        assertTrue(all.contains("outputs[1].max_frame_bytes: must be between 1024"), all);
        assertTrue(all.contains("outputs[1].tls.ca_file: cannot read"), all);
        assertTrue(all.contains("outputs[1].tls.client_key_password: secrets must be given by reference"), all);
        assertTrue(all.contains("outputs[1].tls.verfy_hostname: unknown key"), all);
        assertTrue(all.contains("outputs[2].type: unknown value \"pigeon\""), all);
        assertTrue(all.contains("outputs[3].path: missing"), all);
        assertTrue(all.contains("outputs[4].format: unknown value \"xml\""), all);
        assertTrue(all.contains("outputs[5].name: duplicate output name \"siem\""), all);
        assertFalse(all.contains("s3cret-value"), "the inline secret is never repeated");
        assertEquals(List.of(), outputs, "no entry with a problem yields an output");
    }

    @Test
    void stdoutWritesJsonOrCefLines() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StdoutOutput json = new StdoutOutput("j", ps, StdoutOutput.Format.JSON, new CefEncoder("1"));
        StdoutOutput cef = new StdoutOutput("c", ps, StdoutOutput.Format.CEF, new CefEncoder("1"));
        json.send(ALERT);
        cef.send(ALERT);
        json.flush();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(3, lines.length, "two lines and a final newline");
        assertEquals(ALERT, AlertJson.fromJson(lines[0]));
        assertEquals("alice\nx", StrictCefParser.parse(lines[1]).extension().get("suser"));
    }

    @Test
    void fileAppendsJsonLinesOnFlushAndReopensAfterRotation(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("alerts.jsonl");
        FileOutput out = new FileOutput("f", file, true);
        out.send(ALERT);
        assertFalse(Files.exists(file), "nothing written before flush");
        out.flush();
        out.send(ALERT);
        out.flush();
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals(ALERT, AlertJson.fromJson(lines.get(1)));
        out.close();
        Files.move(file, tmp.resolve("alerts.jsonl.1"));
        out.send(ALERT);
        out.flush();
        assertEquals(1, Files.readAllLines(file).size(), "after close, the configured path is opened again");
        out.close();
    }
}

package dev.cadet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code http:} section: off by default, loopback by default when on, bad values are problems with their path. */
class HttpSettingsTest {
    private static CadetConfig parse(String yaml) {
        return new ConfigLoader(Path.of("/opt/cadet"), new SecretReferences(Map.of())).parse(yaml, "test.yaml");
    }

    @Test
    void offWithoutTheSectionAndOnLoopbackWhenEnabled() throws Exception {
        CadetConfig none = parse("store: {path: /tmp/x.db}\n");
        assertFalse(none.http().enabled());
        CadetConfig on = parse("http: {enabled: true}\n");
        assertEquals(List.of(), on.problems());
        assertTrue(on.http().enabled());
        assertTrue(on.http().listen().getAddress().isLoopbackAddress());
        assertEquals(9464, on.http().listen().getPort());
        assertEquals(3, on.http().unhealthyAfterFailures());
        assertEquals(5, on.http().unhealthyAfterSchedules());
    }

    @Test
    void listenTakesIpv4Ipv6AndLocalhost() throws Exception {
        assertEquals(InetAddress.getByName("10.1.2.3"), parse("http: {listen: \"10.1.2.3:9100\"}").http().listen().getAddress());
        assertEquals(InetAddress.getByName("::1"), parse("http: {listen: \"[::1]:0\"}").http().listen().getAddress());
        assertEquals(0, parse("http: {listen: \"[::1]:0\"}").http().listen().getPort());
        assertTrue(parse("http: {listen: \"localhost:9999\"}").http().listen().getAddress().isLoopbackAddress());
    }

    @Test
    void badValuesAreProblemsWithTheirPath() {
        assertEquals(List.of("http.listen: expected an IP address and a port such as 127.0.0.1:9464 or [::1]:9464, not \"metrics.example.com:9464\""),
                parse("http: {listen: \"metrics.example.com:9464\"}").problems());
        assertEquals(List.of("http.listen: port 70000 is out of range (0-65535)"), parse("http: {listen: \"127.0.0.1:70000\"}").problems());
        assertEquals(List.of("http.listen: not an IPv4 address: \"300.1.1.1\""), parse("http: {listen: \"300.1.1.1:80\"}").problems());
        List<String> p = parse("http: {enabled: maybe, unhealthy_after_failures: 0, port: 80}").problems();
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("http.enabled: ")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("http.unhealthy_after_failures: ")), p.toString());
        assertTrue(p.contains("http.port: unknown key"), p.toString());
    }
}

package dev.cadet.e2e;

import dev.cadet.provider.azure.fetch.GraphStandIn;
import dev.cadet.provider.azure.fetch.TestCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The host's real pipeline for one {@code providers.azure} entry ({@link OneStreamPipeline}) with the
 * shipped rules, with the azure plugin's real Graph SDK and azure-identity talking to a
 * {@link GraphStandIn}: Graph over HTTP, the token endpoint over HTTPS with a certificate made at test
 * time and trusted through the entry's {@code ca_certificates}.
 */
final class AzurePipeline extends OneStreamPipeline {
    static final String TENANT = "6f1c2b9e-0d5a-4c51-9d8b-3a7e2f4c1b00";
    static final String APP = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    static final String STREAM = "azure/" + TENANT;
    static final String SECRET = "graph-e2e-secret-never-shown-71c3";

    AzurePipeline(Path dir, GraphStandIn graph, TestCertificate tls, Instant start) throws Exception {
        super(dir, providers(dir, graph, tls), "azure", STREAM, start, List.of(distDir().resolve("conf/rules")));
    }

    private static String providers(Path dir, GraphStandIn graph, TestCertificate tls) throws IOException {
        Path secret = dir.resolve("graph-secret");
        Files.writeString(secret, SECRET + "\n");
        return """
                providers:
                  azure:
                    - name: e2e
                      tenant_id: %s
                      credentials:
                        client_secret: {client_id: %s, secret: "${file:%s}"}
                      authority_host: %s
                      graph_base_url: %s
                      ca_certificates: %s
                      settle_lag: 1m
                      rescan_overlap: 30m
                      max_window: 6h
                      initial_backfill: 2h
                """.formatted(TENANT, APP, secret, graph.authorityHost(), graph.graphBaseUrl(), tls.pem());
    }
}

package dev.cadet.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener: {@code GET /metrics} in Prometheus text format (the Prometheus Java client's
 * handler over {@link StoreMetrics}), {@code GET /health}: 200 {@code ok} when every enabled stream
 * is healthy, else 503 with one line per unhealthy stream ({@link HealthCheck}). Everything is read
 * at request time; the listener writes nothing. Two threads serve requests.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

    private final HttpServer server;
    private final ExecutorService threads;
    private final HealthCheck health;

    private HttpEndpoint(HttpServer server, ExecutorService threads, HealthCheck health) {
        this.server = server;
        this.threads = threads;
        this.health = health;
    }

    /** Binds {@code listen} and starts serving; throws with the address when it cannot bind. */
    public static HttpEndpoint start(InetSocketAddress listen, StoreMetrics metrics, HealthCheck health) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        HttpServer server;
        try {
            server = HttpServer.create(listen, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listen + " for /metrics and /health: " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cadet-http");
            t.setDaemon(true);
            return t;
        });
        HttpEndpoint endpoint = new HttpEndpoint(server, threads, health);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/health", endpoint::health);
        server.createContext("/", endpoint::notFound);
        server.setExecutor(threads);
        server.start();
        LOG.info("serving /metrics and /health on {}", endpoint.address());
        return endpoint;
    }

    /** The bound address (the real port when the config asked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void health(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/health")) {
                send(exchange, 404, "not found\n");
                return;
            }
            List<String> problems;
            try {
                problems = health.problems();
            } catch (RuntimeException e) {
                send(exchange, 503, "cannot read stream health from the store: " + HealthCheck.oneLine(String.valueOf(e.getMessage())) + "\n");
                return;
            }
            if (problems.isEmpty()) {
                send(exchange, 200, "ok: " + health.streams().size() + " streams healthy\n");
            } else {
                send(exchange, 503, String.join("\n", problems) + "\n");
            }
        }
    }

    private void notFound(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, 404, "not found: try /metrics or /health\n");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

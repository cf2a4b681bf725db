package dev.cadet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The test parser refuses what Prometheus would refuse, so a passing scrape means something. */
class PrometheusTextTest {
    @Test
    void readsWellFormedText() {
        PrometheusText p = PrometheusText.parse("# HELP a_total x\n# TYPE a counter\na_total{s=\"q\\\"\\\\\"} 3\n# TYPE g gauge\ng 1.5e3\n");
        assertEquals(3.0, p.value("a_total", "s", "q\"\\"));
        assertEquals(1500.0, p.value("g"));
    }

    @Test
    void refusesMalformedText() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("g 1\n"), "no TYPE");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE g gauge\ng 1"), "no final newline");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE g gauge\ng{a=\"x\\t\"} 1\n"), "bad escape");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE g gauge\ng 1\ng 2\n"), "twice");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE c counter\nc_sum 1\n"), "not a counter suffix");
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("# TYPE g gauge\ng one\n"), "value");
        assertThrows(IllegalArgumentException.class,
                () -> PrometheusText.parse("# TYPE g gauge\n# TYPE h gauge\ng 1\n"), "not with its family");
    }
}

package dev.cadet.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ForwarderTest {
    static final Forwarder.Settings FAST = new Forwarder.Settings(7, Duration.ofSeconds(30), Duration.ofMillis(5), Duration.ofMillis(40));

    static Alert alert(int i) {
        return new Alert("a" + i, Instant.ofEpochSecond(1_700_000_000L + i), "r", "rule", Severity.HIGH, 70,
                List.of(), null, null, "u" + i, null, null, List.of("e" + i), false);
    }

    /** Records what was flushed; fails sends and flushes on demand. */
    static class RecordingOutput implements Output {
        final String name;
        final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        final List<String> buffer = new ArrayList<>();
        final AtomicInteger failNextSends = new AtomicInteger();
        final AtomicInteger failNextFlushes = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        RecordingOutput(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void send(Alert alert) throws IOException {
            if (failNextSends.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("receiver down");
            }
            buffer.add(alert.id());
        }

        @Override
        public void flush() throws IOException {
            if (failNextFlushes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                buffer.clear();
                throw new IOException("connection reset");
            }
            delivered.addAll(buffer);
            buffer.clear();
        }

        @Override
        public void close() {
            buffer.clear();
            closes.incrementAndGet();
        }
    }

    @Test
    void deliversInOutboxOrderAtLeastOnceThroughFailures() throws Exception {
        InMemoryOutbox store = new InMemoryOutbox();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            store.enqueue(alert(i));
            expected.add("a" + i);
        }
        RecordingOutput flaky = new RecordingOutput("flaky");
        flaky.failNextSends.set(5);
        flaky.failNextFlushes.set(3);
        RecordingOutput steady = new RecordingOutput("steady");
        Forwarder f = new Forwarder(store, List.of(flaky, steady), FAST);
        f.start();
        assertTrue(f.drain(Duration.ofSeconds(20)));

        assertEquals(expected, steady.delivered);
        assertEquals(expected, flaky.delivered, "every alert once, in order, after retries of the failed batches");
        assertTrue(flaky.closes.get() >= 8, "the output is closed after each failure and at the end");
        assertEquals(50L, store.markCalls("flaky").get(store.markCalls("flaky").size() - 1));
        assertEquals(List.of(7L, 14L, 21L, 28L, 35L, 42L, 49L, 50L), store.markCalls("steady"));
        assertEquals(0L, store.outboxDepth(List.of("flaky")).get("flaky"));
    }

    @Test
    void wakeUpSendsNewAlertsWithoutWaitingForThePoll() throws Exception {
        InMemoryOutbox store = new InMemoryOutbox();
        RecordingOutput out = new RecordingOutput("o");
        Forwarder f = new Forwarder(store, List.of(out), FAST); // idle poll 30s: only wakeUp can explain delivery
        f.start();
        Thread.sleep(100);
        store.enqueue(alert(1));
        f.wakeUp();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.delivered.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(List.of("a1"), out.delivered);
        assertTrue(f.drain(Duration.ofSeconds(5)));
    }

    @Test
    void drainGivesUpAtTheDeadlineAndKeepsWhatIsUnsent() throws Exception {
        InMemoryOutbox store = new InMemoryOutbox();
        store.enqueue(alert(1));
        RecordingOutput down = new RecordingOutput("down");
        down.failNextSends.set(Integer.MAX_VALUE);
        Forwarder f = new Forwarder(store, List.of(down), FAST);
        f.start();
        long start = System.nanoTime();
        assertFalse(f.drain(Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "the deadline is kept");
        assertEquals(1L, store.outboxDepth(List.of("down")).get("down"), "the alert waits for the next start");
        assertTrue(down.closes.get() > 0);
    }

    @Test
    void backoffGrowsWithJitterAndIsCapped() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            delays.add(b.next().toMillis());
        }
        assertTrue(delays.get(0) >= 50 && delays.get(0) <= 100, delays.toString());
        assertTrue(delays.get(3) >= 400 && delays.get(3) <= 800, delays.toString());
        delays.subList(5, 10).forEach(d -> assertTrue(d >= 1000 && d <= 2000, delays.toString()));
        b.reset();
        assertTrue(b.next().toMillis() <= 100);
    }

    @Test
    void anUnexpectedErrorInOneAlertIsRetriedNotSkipped() throws Exception {
        InMemoryOutbox store = new InMemoryOutbox();
        store.enqueue(alert(1));
        store.enqueue(alert(2));
        CountDownLatch failed = new CountDownLatch(2);
        RecordingOutput out = new RecordingOutput("o") {
            @Override
            public void send(Alert alert) throws IOException {
                if (alert.id().equals("a2") && failed.getCount() > 0) {
                    failed.countDown();
                    throw new IllegalStateException("encoder bug");
                }
                super.send(alert);
            }
        };
        Forwarder f = new Forwarder(store, List.of(out), FAST);
        f.start();
        assertTrue(f.drain(Duration.ofSeconds(10)));
        assertEquals(List.of("a1", "a2"), out.delivered);
    }
}

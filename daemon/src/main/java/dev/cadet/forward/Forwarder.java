package dev.cadet.forward;

import dev.cadet.store.Store;
import dev.cadet.store.Store.OutboxEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the store's outbox into each output, one thread per output (DESIGN §2, §6).
 *
 * <p>Per output, in a loop: {@code store.pending(name, batch)}, send each alert, {@code flush()}, then
 * {@code store.markSent(name, lastSeq)}. When sending or flushing fails, the output is closed, the
 * thread backs off (exponential, jitter, capped) and sends the same alerts again: alerts reach each
 * output in outbox order, at least once; a repeat carries the same alert id. One output being down
 * never holds up the others.
 *
 * <p>Threads: {@link #start()} once; {@link #wakeUp()} from any thread (the poller, after a commit);
 * {@link #drain(Duration)} once at shutdown. The forwarder owns the outputs and closes them.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    /** Tuning; {@link #defaults()} suits the daemon. */
    public record Settings(int batchSize, Duration idlePoll, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1");
            }
        }

        public static Settings defaults() {
            return new Settings(200, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(30));
        }
    }

    private final Store store;
    private final Settings settings;
    private final List<Worker> workers = new ArrayList<>();
    private boolean started;

    public Forwarder(Store store, List<? extends Output> outputs) {
        this(store, outputs, Settings.defaults());
    }

    public Forwarder(Store store, List<? extends Output> outputs, Settings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        for (Output o : outputs) {
            workers.add(new Worker(o));
        }
    }

    /** Starts one thread per output. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("forwarder already started");
        }
        started = true;
        workers.forEach(w -> w.thread.start());
    }

    /** Tells every output thread that new alerts may be in the outbox (cheap; call after each commit). */
    public void wakeUp() {
        workers.forEach(Worker::nudge);
    }

    /**
     * Shutdown: each output keeps sending what is pending until its outbox is empty or the deadline
     * passes, then the threads stop and the outputs are closed (TLS close_notify). What is not sent
     * stays in the outbox for the next start.
     *
     * @return true if every output emptied its outbox in time
     */
    public boolean drain(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        workers.forEach(w -> {
            w.draining = true;
            w.nudge();
        });
        boolean all = true;
        for (Worker w : workers) {
            if (!w.thread.isAlive() && !started) {
                w.output.close();
                all &= w.emptied;
                continue;
            }
            try {
                w.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Worker w : workers) {
            if (w.thread.isAlive()) {
                w.stop.countDown();
                w.thread.interrupt();
                try {
                    w.thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (w.thread.isAlive()) {
                    LOG.warn("output {}: still blocked in a send at shutdown; giving up on it", w.output.name());
                }
            }
            all &= w.emptied;
        }
        return all;
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }

    private final class Worker implements Runnable {
        final Output output;
        final Thread thread;
        final Semaphore wake = new Semaphore(0);
        final CountDownLatch stop = new CountDownLatch(1);
        final Backoff backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        volatile boolean draining;
        volatile boolean emptied;

        Worker(Output output) {
            this.output = output;
            this.thread = new Thread(this, "cadet-forward-" + output.name());
            this.thread.setDaemon(true);
        }

        void nudge() {
            if (wake.availablePermits() == 0) {
                wake.release();
            }
        }

        @Override
        public void run() {
            try {
                while (stop.getCount() > 0) {
                    List<OutboxEntry> batch = store.pending(output.name(), settings.batchSize());
                    if (batch.isEmpty()) {
                        if (draining) {
                            emptied = true;
                            return;
                        }
                        wake.tryAcquire(settings.idlePoll().toMillis(), TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (!deliver(batch)) {
                        Duration pause = backoff.next();
                        if (stop.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("output {}: forwarding stopped by an unexpected error", output.name(), e);
            } finally {
                output.close();
            }
        }

        /** Sends the batch and marks it sent; false (after logging) when it has to be retried. */
        private boolean deliver(List<OutboxEntry> batch) {
            try {
                for (OutboxEntry e : batch) {
                    output.send(e.alert());
                }
                output.flush();
            } catch (IOException | RuntimeException e) {
                output.close();
                // The message names the output and the receiver; alert contents and secrets stay out.
                if (backoff.failures() == 0 || backoff.failures() % 10 == 0) {
                    LOG.warn("output {}: sending failed ({}); {} alert(s) will be retried", output.name(),
                            e.getMessage(), batch.size());
                }
                return false;
            }
            store.markSent(output.name(), batch.get(batch.size() - 1).seq());
            if (backoff.failures() > 0) {
                LOG.info("output {}: delivering again after {} failed attempt(s)", output.name(), backoff.failures());
            }
            backoff.reset();
            return true;
        }
    }
}

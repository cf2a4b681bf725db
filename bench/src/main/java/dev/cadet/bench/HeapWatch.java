package dev.cadet.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Watches this JVM's memory while a benchmark runs. Three views, because "peak heap" means different
 * things: the used heap sampled every 10 ms (includes garbage not yet collected, so it grows with
 * -Xmx), the heap used right after each garbage collection (close to what was live: the memory the
 * work needs), and the process's peak resident set (VmHWM), which also counts off-heap memory such
 * as an in-memory SQLite database.
 */
final class HeapWatch implements AutoCloseable {
    private static final long SAMPLE_MILLIS = 10;

    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final Set<String> heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong peakSampled = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final List<Runnable> unregister = new ArrayList<>();
    private final long baseline;
    private final Thread sampler;
    private volatile boolean running = true;

    /** Collects garbage, resets the pools' peaks, then starts watching. */
    HeapWatch() {
        System.gc();
        for (MemoryPoolMXBean p : heapPools) {
            p.resetPeakUsage();
        }
        baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        NotificationListener listener = this::onGc;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                unregister.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (javax.management.ListenerNotFoundException ignored) {
                        // already gone
                    }
                });
            }
        }
        sampler = new Thread(this::sample, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (running) {
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            peakSampled.accumulateAndGet(used, Math::max);
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPoolNames.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        collections.incrementAndGet();
        peakAfterGc.accumulateAndGet(used, Math::max);
    }

    /** What was seen, in bytes. */
    record Figures(long baselineBytes, long peakSampledBytes, long peakAfterGcBytes, long poolPeakSumBytes,
                   long collections, long maxHeapBytes, long peakRssBytes) {
    }

    Figures figures() {
        long poolPeaks = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Figures(baseline, peakSampled.get(), peakAfterGc.get(), poolPeaks, collections.get(),
                Runtime.getRuntime().maxMemory(), peakRss());
    }

    /** VmHWM from /proc/self/status, or -1 where there is none. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        unregister.forEach(Runnable::run);
    }
}

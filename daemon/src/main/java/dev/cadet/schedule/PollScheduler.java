package dev.cadet.schedule;

import dev.cadet.poll.PollResult;
import dev.cadet.poll.StreamPoller;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires each stream's {@link StreamPoller} on its interval with Quartz (RAMJobStore: the schedule is
 * rebuilt from config at every start; the watermarks in the store, not the scheduler, say what to
 * read, so missed runs cost nothing but lag).
 *
 * <p>One job per stream, {@link DisallowConcurrentExecution}: two firings of the same stream never
 * overlap, whichever trigger fired them. A firing late by more than the misfire threshold (the pool
 * was busy, the machine slept) runs once as soon as it can, then the interval continues from there.
 * The thread pool has {@code min(streams, maxThreads)} threads so that one slow stream cannot starve
 * the others unless there are more slow streams than threads.
 *
 * <p>Jobs find their poller in a registry kept in the scheduler context; nothing is serialized.
 */
public final class PollScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(PollScheduler.class);
    /** The scheduler-context key of the {@code Map<String, StreamPoller>} the jobs read. */
    static final String POLLERS = "cadet.pollers";
    static final String GROUP = "streams";
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    /**
     * @param instanceName     unique per JVM (Quartz keeps a registry of schedulers by name)
     * @param maxThreads       upper bound of the worker pool
     * @param misfireThreshold how late a firing may be before it counts as misfired
     */
    public record Settings(String instanceName, int maxThreads, Duration misfireThreshold) {
        public static final Settings DEFAULTS = new Settings("cadet", 8, Duration.ofSeconds(60));

        public Settings {
            Objects.requireNonNull(instanceName, "instanceName");
            if (maxThreads < 1) {
                throw new IllegalArgumentException("maxThreads must be at least 1: " + maxThreads);
            }
            Objects.requireNonNull(misfireThreshold, "misfireThreshold");
        }
    }

    /**
     * One stream to poll.
     *
     * @param interval   time between two runs ({@link #DEFAULT_INTERVAL} when the config says nothing)
     * @param firstDelay how long after {@link #start()} the first run is; lets the caller spread streams
     */
    public record ScheduledStream(StreamPoller poller, Duration interval, Duration firstDelay) {
        public ScheduledStream {
            Objects.requireNonNull(poller, "poller");
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("stream " + poller.streamKey() + ": poll interval must be positive");
            }
            if (firstDelay == null || firstDelay.isNegative()) {
                throw new IllegalArgumentException("stream " + poller.streamKey() + ": first delay must not be negative");
            }
        }

        public ScheduledStream(StreamPoller poller, Duration interval) {
            this(poller, interval, Duration.ZERO);
        }
    }

    private final Scheduler scheduler;
    private final List<ScheduledStream> streams;
    private final int threadCount;

    /** Builds the scheduler and its jobs; nothing runs before {@link #start()}. */
    public PollScheduler(List<ScheduledStream> streams, Settings settings) {
        this.streams = List.copyOf(streams);
        Map<String, StreamPoller> pollers = new LinkedHashMap<>();
        for (ScheduledStream s : this.streams) {
            if (pollers.put(s.poller().streamKey(), s.poller()) != null) {
                throw new IllegalArgumentException("stream " + s.poller().streamKey() + " is scheduled twice");
            }
        }
        this.threadCount = Math.max(1, Math.min(this.streams.size(), settings.maxThreads()));
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, settings.instanceName());
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "NON_CLUSTERED");
        p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(settings.misfireThreshold().toMillis()));
        p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threadCount));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", settings.instanceName() + "-poll");
        try {
            this.scheduler = new StdSchedulerFactory(p).getScheduler();
            scheduler.getContext().put(POLLERS, Map.copyOf(pollers));
            for (ScheduledStream s : this.streams) {
                schedule(s);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot set up the poll scheduler: " + e.getMessage(), e);
        }
    }

    private void schedule(ScheduledStream s) throws SchedulerException {
        String key = s.poller().streamKey();
        JobDetail job = JobBuilder.newJob(PollJob.class).withIdentity(key, GROUP).storeDurably()
                .withDescription("poll " + key).build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(key, GROUP).forJob(job)
                .startAt(new Date(System.currentTimeMillis() + s.firstDelay().toMillis()))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(s.interval().toMillis())
                        .repeatForever()
                        // run once now, then go on at the interval; the watermark covers the gap
                        .withMisfireHandlingInstructionFireNow())
                .build();
        scheduler.scheduleJob(job, trigger);
    }

    /** Worker threads in the pool: {@code min(streams, maxThreads)}, at least one. */
    public int threadCount() {
        return threadCount;
    }

    public void start() {
        try {
            scheduler.start();
            LOG.info("polling {} streams with {} threads", streams.size(), threadCount);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the poll scheduler: " + e.getMessage(), e);
        }
    }

    /** Runs the stream once as soon as possible (not while it is already running). */
    public void pollNow(String streamKey) {
        try {
            JobKey job = JobKey.jobKey(streamKey, GROUP);
            if (!scheduler.checkExists(job)) {
                throw new IllegalArgumentException("no scheduled stream " + streamKey);
            }
            scheduler.triggerJob(job);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot trigger stream " + streamKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops firing. With {@code waitForJobs}, returns after running polls finish (set the pipeline's
     * stopping flag first so they finish soon).
     */
    public void shutdown(boolean waitForJobs) {
        try {
            scheduler.shutdown(waitForJobs);
        } catch (SchedulerException e) {
            LOG.warn("poll scheduler did not shut down cleanly: {}", e.getMessage());
        }
    }

    /** Quartz's job: looks its stream's poller up and runs one poll. Public for Quartz's job factory. */
    @DisallowConcurrentExecution
    public static final class PollJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            String key = context.getJobDetail().getKey().getName();
            StreamPoller poller;
            try {
                @SuppressWarnings("unchecked")
                Map<String, StreamPoller> pollers = (Map<String, StreamPoller>) context.getScheduler().getContext().get(POLLERS);
                poller = pollers.get(key);
            } catch (SchedulerException e) {
                LOG.error("stream {}: cannot read the scheduler context: {}", key, e.getMessage());
                return;
            }
            if (poller == null) {
                LOG.error("stream {}: no poller registered", key);
                return;
            }
            // pollOnce never throws; a RuntimeException here would be a bug, and Quartz logs it
            PollResult result = poller.pollOnce();
            LOG.debug("stream {}: {}", key, result);
        }
    }
}

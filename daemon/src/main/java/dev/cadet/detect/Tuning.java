package dev.cadet.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.detect.Detector.Match;
import dev.cadet.detect.Detector.MatchedEvent;
import dev.cadet.detect.tuning.ExceptionEntry;
import dev.cadet.detect.tuning.SuppressionEntry;
import dev.cadet.detect.tuning.TuningFiles;
import dev.cadet.store.Store.SuppressionKey;
import dev.cadet.store.Store.SuppressionWindow;
import dev.cadet.store.Store.TuningCommit;
import dev.cadet.store.Store.TuningCounts;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tuning without editing rules: decides for each {@link Match} whether it becomes an alert, is
 * EXCEPTED by an exception entry or SUPPRESSED by an open suppression window, and yields the state
 * changes to commit in the same poll transaction. Nothing is dropped silently: excepted and
 * suppressed matches are counted per rule (store {@code rule_stats}) and logged at debug.
 *
 * <p>Exceptions test the match's FIRST event: the one that started the chain (the account creation)
 * and the one whose actor, target, account and source the alert shows, so an exception matches what
 * the operator sees. Testing ANY event would let one benign-looking step (a Terraform user agent on
 * the last call, which the caller controls) hide a whole chain. Expiry is judged on the wall clock;
 * an {@code active} period on the first event's time.
 *
 * <p>Suppression: the first entry (file order) for the rule keys the match by its first event's
 * {@code by} fields. An alert opens a window at the match's event time t (its last event):
 * [t, t + for); a later match with the same key whose event time is within {@code for} of the
 * window's start (before or after: polls may deliver older matches later) is suppressed.
 *
 * <p>Not thread-safe: the poller calls it inside the advance-and-commit critical section; after a
 * failed commit it calls {@link #restore}.
 */
public final class Tuning {
    private static final Logger LOG = LoggerFactory.getLogger(Tuning.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Verdict { ALERT, EXCEPTED, SUPPRESSED }

    /** @param reason the entry's reason and where it is, for EXCEPTED and SUPPRESSED; null for ALERT */
    public record Decision(Match match, Verdict verdict, String reason) {
    }

    /** The matches that become alerts, every decision, and what to commit. */
    public record Outcome(List<Match> alerts, List<Decision> decisions, TuningCommit changes) {
    }

    private final TuningFiles files;
    private final Clock clock;
    private final Map<SuppressionKey, SuppressionWindow> windows = new HashMap<>();

    public Tuning(TuningFiles files, Clock clock) {
        this.files = files;
        this.clock = clock;
    }

    /** No exceptions, no suppression: every match is an alert (still counted). */
    public static Tuning none() {
        return new Tuning(TuningFiles.NONE, Clock.systemUTC());
    }

    public TuningFiles files() {
        return files;
    }

    /** Decides every match, in order, and updates the in-memory suppression windows. */
    public Outcome apply(List<Match> matches) {
        List<Match> alerts = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        Map<SuppressionKey, SuppressionWindow> upserts = new LinkedHashMap<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Instant now = clock.instant();
        for (Match m : matches) {
            Decision d = decide(m, now, upserts);
            decisions.add(d);
            switch (d.verdict()) {
                case ALERT -> alerts.add(m);
                case EXCEPTED -> {
                    counts.computeIfAbsent(m.ruleId(), k -> new long[2])[0]++;
                    LOG.debug("rule {}: match of events {} excepted by {}", m.ruleId(), eventIds(m), d.reason());
                }
                case SUPPRESSED -> {
                    counts.computeIfAbsent(m.ruleId(), k -> new long[2])[1]++;
                    LOG.debug("rule {}: match of events {} suppressed by {}", m.ruleId(), eventIds(m), d.reason());
                }
            }
        }
        Map<String, TuningCounts> n = new LinkedHashMap<>();
        counts.forEach((rule, c) -> n.put(rule, new TuningCounts(c[0], c[1])));
        return new Outcome(alerts, decisions, new TuningCommit(upserts, n));
    }

    private Decision decide(Match m, Instant now, Map<SuppressionKey, SuppressionWindow> upserts) {
        MatchedEvent first = m.events().get(0);
        for (ExceptionEntry e : files.exceptions()) {
            if (e.appliesTo(m.ruleId()) && !e.expired(now) && e.matches(first)) {
                return new Decision(m, Verdict.EXCEPTED, e.where() + " (" + e.reason() + ")");
            }
        }
        SuppressionEntry s = files.suppressions().stream().filter(x -> x.appliesTo(m.ruleId())).findFirst().orElse(null);
        if (s == null) {
            return new Decision(m, Verdict.ALERT, null);
        }
        Instant t = m.events().get(m.events().size() - 1).timestamp();
        SuppressionKey key = new SuppressionKey(m.ruleId(), key(s, first));
        SuppressionWindow w = windows.get(key);
        if (w != null && !t.isBefore(w.start().minus(s.length())) && t.isBefore(w.until())) {
            return new Decision(m, Verdict.SUPPRESSED, s.where() + " (" + s.reason() + ")");
        }
        if (w == null || t.isAfter(w.start())) {
            SuppressionWindow opened = new SuppressionWindow(t, t.plus(s.length()));
            windows.put(key, opened);
            upserts.put(key, opened);
        }
        return new Decision(m, Verdict.ALERT, null);
    }

    /** The {@code by} fields and their values as a JSON object, in the entry's order. */
    private static String key(SuppressionEntry s, MatchedEvent first) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String f : s.by()) {
            values.put(f, first.fields().get(f));
        }
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("suppression key not serializable", e);
        }
    }

    /** Event ids come from records: one line, no control characters, in a log line. */
    private static String eventIds(Match m) {
        return m.events().stream().map(e -> e.id().replaceAll("\\p{Cntrl}", "?")).toList().toString();
    }

    /** Replaces the in-memory windows with what the store holds (at start, and after a failed commit). */
    public void restore(Map<SuppressionKey, SuppressionWindow> stored) {
        windows.clear();
        windows.putAll(stored);
    }
}

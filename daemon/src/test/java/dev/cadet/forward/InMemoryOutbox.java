package dev.cadet.forward;

import dev.cadet.alert.Alert;
import dev.cadet.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Test double: only the outbox part of {@link Store}, in memory, with the same ordering rules. */
final class InMemoryOutbox implements Store {
    private final List<OutboxEntry> outbox = new ArrayList<>();
    private final Map<String, Long> sent = new HashMap<>();
    private final Map<String, List<Long>> markCalls = new LinkedHashMap<>();
    private long nextSeq = 1;

    @Override
    public synchronized boolean enqueue(Alert alert) {
        if (outbox.stream().anyMatch(e -> e.alert().id().equals(alert.id()))) {
            return false;
        }
        outbox.add(new OutboxEntry(nextSeq++, alert));
        return true;
    }

    @Override
    public synchronized List<OutboxEntry> pending(String output, int limit) {
        long after = sent.getOrDefault(output, 0L);
        return outbox.stream().filter(e -> e.seq() > after).limit(limit).toList();
    }

    @Override
    public synchronized void markSent(String output, long seq) {
        if (seq < sent.getOrDefault(output, 0L)) {
            throw new IllegalStateException("sent mark moved back for " + output);
        }
        sent.put(output, seq);
        markCalls.computeIfAbsent(output, k -> new ArrayList<>()).add(seq);
    }

    @Override
    public synchronized Map<String, Long> outboxDepth(Collection<String> outputs) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String o : outputs) {
            long after = sent.getOrDefault(o, 0L);
            out.put(o, outbox.stream().filter(e -> e.seq() > after).count());
        }
        return out;
    }

    synchronized List<Long> markCalls(String output) {
        return List.copyOf(markCalls.getOrDefault(output, List.of()));
    }

    @Override
    public Optional<Instant> watermark(String streamKey) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Set<String> seen(String streamKey, Collection<String> eventIds) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean itemMarked(String streamKey, String itemKey) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<SequenceKey, String> loadSequenceState() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<SuppressionKey, SuppressionWindow> loadSuppressions() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<RuleStats> ruleStats() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void commit(PollCommit commit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void recordFailure(String streamKey, Instant at, String error, boolean fatal) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void recordWarning(String streamKey, Instant at, String warning) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<StreamHealth> streamHealth() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Rejected> rejected(String streamKey, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void prune(Instant cutoff, Collection<String> outputs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

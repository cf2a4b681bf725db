package dev.cadet.store;

import dev.cadet.alert.Alert;
import dev.cadet.alert.AlertJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * {@link Store} on one SQLite file (sqlite-jdbc): WAL, {@code busy_timeout} 5 s, foreign keys on,
 * {@code synchronous} NORMAL by default (durable across a crash of the daemon; FULL also across a
 * power loss). One writer connection behind a lock, every write transaction opened with
 * {@code BEGIN IMMEDIATE}; reads go through a second, read-only connection so that the forwarder and
 * {@code status} never wait for a poll's transaction. The schema is migrated at open.
 *
 * <p>{@link #IN_MEMORY} ({@code ":memory:"}) gives a private, non-durable database for
 * {@code replay}; it has a single connection for reads and writes, since every SQLite connection to
 * {@code :memory:} is a separate database.
 */
public final class SqliteStore implements Store {
    public static final String IN_MEMORY = ":memory:";

    /** Keep this many arrival delays per stream for the p50/p99 in status. */
    static final int ARRIVAL_SAMPLE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    /** How the database is opened. */
    public record Options(boolean fullSync, boolean separateReader, int busyTimeoutMs) {
        /** synchronous=NORMAL, a separate read connection, busy_timeout 5 s. */
        public static final Options DEFAULTS = new Options(false, true, 5000);

        public Options withFullSync(boolean full) {
            return new Options(full, separateReader, busyTimeoutMs);
        }
    }

    private final String where;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Connection reader;
    private final ReentrantLock readLock;

    /** Opens (creating the file and its parent folders if needed) with {@link Options#DEFAULTS}. */
    public SqliteStore(String path) {
        this(path, Options.DEFAULTS);
    }

    /**
     * @param path a file path, or {@link #IN_MEMORY}
     * @throws StoreException naming the file if it cannot be opened or its schema is newer than this
     *                        code knows
     */
    public SqliteStore(String path, Options options) {
        boolean memory = IN_MEMORY.equals(path);
        this.where = memory ? "in-memory store" : "store " + Path.of(path).toAbsolutePath();
        String url;
        if (memory) {
            url = "jdbc:sqlite::memory:";
        } else {
            Path file = Path.of(path).toAbsolutePath();
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
            } catch (IOException e) {
                throw new StoreException(where + ": cannot create its folder: " + e.getMessage(), e);
            }
            url = "jdbc:sqlite:" + file;
        }
        Connection w = null;
        try {
            w = config(options, false, memory).createConnection(url);
            this.writer = w;
            migrate();
            if (memory || !options.separateReader()) {
                this.reader = writer;
                this.readLock = writeLock;
            } else {
                this.reader = config(options, true, false).createConnection(url);
                this.readLock = new ReentrantLock();
            }
        } catch (SQLException e) {
            closeQuietly(w);
            throw new StoreException(where + ": cannot open: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(w);
            throw e;
        }
    }

    private static SQLiteConfig config(Options options, boolean readOnly, boolean memory) {
        SQLiteConfig c = new SQLiteConfig();
        if (!memory) {
            c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        }
        c.setSynchronous(options.fullSync() ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        c.setBusyTimeout(options.busyTimeoutMs());
        c.enforceForeignKeys(true);
        c.setReadOnly(readOnly);
        return c;
    }

    // ---- schema ---------------------------------------------------------------------------------

    private void migrate() throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        }
        int current = schemaVersion();
        int latest = SchemaMigrations.latest();
        if (current > latest) {
            throw new StoreException(where + " has schema version " + current + ", newer than this cadet knows ("
                    + latest + "); it was written by a newer cadet. Upgrade cadet or point it at another state file.");
        }
        for (SchemaMigrations.Step step : SchemaMigrations.STEPS) {
            if (step.version() <= current) {
                continue;
            }
            inTransaction("migrate to schema version " + step.version(), () -> {
                try (Statement st = writer.createStatement()) {
                    for (String sql : step.statements()) {
                        st.execute(sql);
                    }
                    st.execute("DELETE FROM schema_version");
                    st.execute("INSERT INTO schema_version(version) VALUES (" + step.version() + ")");
                }
                return null;
            });
            LOG.info("{}: migrated schema to version {} ({})", where, step.version(), step.description());
        }
    }

    /** The schema version of the open database (for tests and {@code status}). */
    public int schemaVersion() {
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw new StoreException(where + ": cannot read the schema version: " + e.getMessage(), e);
        }
    }

    // ---- reads ----------------------------------------------------------------------------------

    @Override
    public Optional<Instant> watermark(String streamKey) {
        return read("read the watermark of " + streamKey, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT watermark FROM stream WHERE stream_key = ?")) {
                ps.setString(1, streamKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(instant(rs, 1)) : Optional.<Instant>empty();
                }
            }
        });
    }

    @Override
    public Set<String> seen(String streamKey, Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            return Set.of();
        }
        List<String> ids = List.copyOf(new LinkedHashSet<>(eventIds));
        return read("look up seen event ids of " + streamKey, c -> {
            Set<String> found = new java.util.HashSet<>();
            // Chunks stay well below SQLite's bound-parameter limit.
            for (int from = 0; from < ids.size(); from += 500) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                String sql = "SELECT event_id FROM seen_event WHERE stream_key = ? AND event_id IN ("
                        + "?,".repeat(chunk.size() - 1) + "?)";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, streamKey);
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.add(rs.getString(1));
                        }
                    }
                }
            }
            return found;
        });
    }

    @Override
    public boolean itemMarked(String streamKey, String itemKey) {
        return read("look up work item " + itemKey + " of " + streamKey, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM stream_item WHERE stream_key = ? AND item_key = ?")) {
                ps.setString(1, streamKey);
                ps.setString(2, itemKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public Map<SequenceKey, String> loadSequenceState() {
        return read("load sequence state", c -> {
            Map<SequenceKey, String> state = new HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rule_id, join_key, state FROM sequence_state")) {
                while (rs.next()) {
                    state.put(new SequenceKey(rs.getString(1), rs.getString(2)), rs.getString(3));
                }
            }
            return state;
        });
    }

    @Override
    public Map<SuppressionKey, SuppressionWindow> loadSuppressions() {
        return read("load suppression windows", c -> {
            Map<SuppressionKey, SuppressionWindow> out = new HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rule_id, key, start_time, until_time FROM suppression")) {
                while (rs.next()) {
                    out.put(new SuppressionKey(rs.getString(1), rs.getString(2)),
                            new SuppressionWindow(instant(rs, 3), instant(rs, 4)));
                }
            }
            return out;
        });
    }

    @Override
    public List<RuleStats> ruleStats() {
        return read("read rule statistics", c -> {
            List<RuleStats> out = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rule_id, alerts, excepted, suppressed FROM rule_stats ORDER BY rule_id")) {
                while (rs.next()) {
                    out.add(new RuleStats(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            return out;
        });
    }

    @Override
    public List<StreamHealth> streamHealth() {
        return read("read stream health", c -> {
            Map<String, List<Long>> delays = new HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT stream_key, delay_ms FROM arrival_delay")) {
                while (rs.next()) {
                    delays.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
                }
            }
            List<StreamHealth> out = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT stream_key, watermark, last_success, last_failure, last_error,"
                         + " last_warning, consecutive_failures, stopped, requests, throttles, events, rejected"
                         + " FROM stream ORDER BY stream_key")) {
                while (rs.next()) {
                    List<Long> sample = delays.getOrDefault(rs.getString(1), List.of());
                    out.add(new StreamHealth(rs.getString(1), instant(rs, 2), instant(rs, 3), instant(rs, 4),
                            rs.getString(5), rs.getString(6), rs.getInt(7), rs.getInt(8) != 0, rs.getLong(9),
                            rs.getLong(10), rs.getLong(11), rs.getLong(12),
                            percentile(sample, 50), percentile(sample, 99)));
                }
            }
            return out;
        });
    }

    @Override
    public List<Rejected> rejected(String streamKey, int limit) {
        return read("read rejected records of " + streamKey, c -> {
            List<Rejected> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT origin, reason, body FROM rejected_record WHERE stream_key = ? ORDER BY id LIMIT ?")) {
                ps.setString(1, streamKey);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Rejected(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return out;
        });
    }

    /** Nearest-rank percentile; null for an empty sample. */
    static Long percentile(List<Long> sample, int p) {
        if (sample.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(sample);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    @Override
    public List<OutboxEntry> pending(String output, int limit) {
        return read("read the outbox for output " + output, c -> {
            List<OutboxEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, json FROM alert_outbox"
                    + " WHERE seq > COALESCE((SELECT last_seq FROM output_cursor WHERE output = ?), 0)"
                    + " ORDER BY seq LIMIT ?")) {
                ps.setString(1, output);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new OutboxEntry(rs.getLong(1), AlertJson.fromJson(rs.getString(2))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Map<String, Long> outboxDepth(Collection<String> outputs) {
        return read("count the outbox", c -> {
            Map<String, Long> depth = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM alert_outbox"
                    + " WHERE seq > COALESCE((SELECT last_seq FROM output_cursor WHERE output = ?), 0)")) {
                for (String output : outputs) {
                    ps.setString(1, output);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        depth.put(output, rs.getLong(1));
                    }
                }
            }
            return depth;
        });
    }

    // ---- writes ---------------------------------------------------------------------------------

    @Override
    public void commit(PollCommit commit) {
        String stream = commit.streamKey();
        long at = commit.at().toEpochMilli();
        inTransaction("commit a poll of " + stream, () -> {
            ensureStream(stream);
            long newEvents = 0;
            try (PreparedStatement ps = writer.prepareStatement("INSERT OR IGNORE INTO seen_event"
                    + "(stream_key, event_id, event_time, first_seen) VALUES (?, ?, ?, ?)")) {
                for (SeenEvent e : commit.seen()) {
                    ps.setString(1, stream);
                    ps.setString(2, e.eventId());
                    ps.setLong(3, e.eventTime().toEpochMilli());
                    ps.setLong(4, at);
                    newEvents += ps.executeUpdate();
                }
            }
            Map<String, Long> alertsByRule = new HashMap<>();
            for (Alert alert : commit.alerts()) {
                if (insertAlert(alert, at)) {
                    alertsByRule.merge(alert.ruleId(), 1L, Long::sum);
                }
            }
            commitTuning(commit.tuning(), alertsByRule);
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO sequence_state"
                    + "(rule_id, join_key, state, updated_at) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT(rule_id, join_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")) {
                for (Map.Entry<SequenceKey, String> e : commit.sequenceUpserts().entrySet()) {
                    ps.setString(1, e.getKey().ruleId());
                    ps.setString(2, e.getKey().joinKey());
                    ps.setString(3, e.getValue());
                    ps.setLong(4, at);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = writer.prepareStatement(
                    "DELETE FROM sequence_state WHERE rule_id = ? AND join_key = ?")) {
                for (SequenceKey k : commit.sequenceDeletes()) {
                    ps.setString(1, k.ruleId());
                    ps.setString(2, k.joinKey());
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO stream_item"
                    + "(stream_key, item_key, state, updated_at) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT(stream_key, item_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")) {
                for (Map.Entry<String, String> e : commit.itemMarks().entrySet()) {
                    ps.setString(1, stream);
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                    ps.setLong(4, at);
                    ps.executeUpdate();
                }
            }
            long newRejected = 0;
            try (PreparedStatement ps = writer.prepareStatement("INSERT OR IGNORE INTO rejected_record"
                    + "(stream_key, origin, reason, body, body_sha, at) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Rejected r : commit.rejected()) {
                    ps.setString(1, stream);
                    ps.setString(2, r.origin());
                    ps.setString(3, r.reason());
                    ps.setString(4, r.body());
                    ps.setString(5, sha256(r.body()));
                    ps.setLong(6, at);
                    newRejected += ps.executeUpdate();
                }
            }
            recordArrivalDelays(stream, commit.arrivalDelaysMs());
            try (PreparedStatement ps = writer.prepareStatement("UPDATE stream SET last_success = ?1,"
                    + " consecutive_failures = 0, stopped = 0, requests = requests + ?2, throttles = throttles + ?3,"
                    + " events = events + ?4, rejected = rejected + ?5,"
                    // the watermark never moves backwards
                    + " watermark = CASE WHEN ?6 IS NULL THEN watermark"
                    + "                  WHEN watermark IS NULL OR ?6 > watermark THEN ?6 ELSE watermark END"
                    + " WHERE stream_key = ?7")) {
                ps.setLong(1, at);
                ps.setLong(2, commit.requests());
                ps.setLong(3, commit.throttles());
                ps.setLong(4, newEvents);
                ps.setLong(5, newRejected);
                if (commit.newWatermark() == null) {
                    ps.setNull(6, Types.INTEGER);
                } else {
                    ps.setLong(6, commit.newWatermark().toEpochMilli());
                }
                ps.setString(7, stream);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Suppression windows and per-rule counts; an alert counts only if it was new to the outbox. */
    private void commitTuning(TuningCommit tuning, Map<String, Long> alertsByRule) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO suppression(rule_id, key, start_time, until_time)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT(rule_id, key) DO UPDATE SET start_time = excluded.start_time,"
                + " until_time = excluded.until_time")) {
            for (Map.Entry<SuppressionKey, SuppressionWindow> e : tuning.suppressionUpserts().entrySet()) {
                ps.setString(1, e.getKey().ruleId());
                ps.setString(2, e.getKey().key());
                ps.setLong(3, e.getValue().start().toEpochMilli());
                ps.setLong(4, e.getValue().until().toEpochMilli());
                ps.executeUpdate();
            }
        }
        Set<String> rules = new java.util.TreeSet<>(alertsByRule.keySet());
        rules.addAll(tuning.counts().keySet());
        try (PreparedStatement ps = writer.prepareStatement("INSERT INTO rule_stats(rule_id, alerts, excepted, suppressed)"
                + " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(rule_id) DO UPDATE SET alerts = alerts + ?2,"
                + " excepted = excepted + ?3, suppressed = suppressed + ?4")) {
            for (String rule : rules) {
                TuningCounts n = tuning.counts().getOrDefault(rule, new TuningCounts(0, 0));
                ps.setString(1, rule);
                ps.setLong(2, alertsByRule.getOrDefault(rule, 0L));
                ps.setLong(3, n.excepted());
                ps.setLong(4, n.suppressed());
                ps.executeUpdate();
            }
        }
    }

    private void recordArrivalDelays(String stream, List<Long> delaysMs) throws SQLException {
        if (delaysMs.isEmpty()) {
            return;
        }
        List<Long> recent = delaysMs.size() > ARRIVAL_SAMPLE
                ? delaysMs.subList(delaysMs.size() - ARRIVAL_SAMPLE, delaysMs.size()) : delaysMs;
        try (PreparedStatement ps = writer.prepareStatement(
                "INSERT INTO arrival_delay(stream_key, delay_ms) VALUES (?, ?)")) {
            for (Long d : recent) {
                ps.setString(1, stream);
                ps.setLong(2, d);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = writer.prepareStatement("DELETE FROM arrival_delay WHERE stream_key = ?1 AND id <="
                + " (SELECT id FROM arrival_delay WHERE stream_key = ?1 ORDER BY id DESC LIMIT 1 OFFSET " + ARRIVAL_SAMPLE + ")")) {
            ps.setString(1, stream);
            ps.executeUpdate();
        }
    }

    private boolean insertAlert(Alert alert, long at) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement(
                "INSERT OR IGNORE INTO alert_outbox(alert_id, json, created_at) VALUES (?, ?, ?)")) {
            ps.setString(1, alert.id());
            ps.setString(2, AlertJson.toJson(alert));
            ps.setLong(3, at);
            return ps.executeUpdate() == 1;
        }
    }

    private void ensureStream(String stream) throws SQLException {
        try (PreparedStatement ps = writer.prepareStatement("INSERT OR IGNORE INTO stream(stream_key) VALUES (?)")) {
            ps.setString(1, stream);
            ps.executeUpdate();
        }
    }

    @Override
    public void recordFailure(String streamKey, Instant at, String error, boolean fatal) {
        inTransaction("record a failure of " + streamKey, () -> {
            ensureStream(streamKey);
            try (PreparedStatement ps = writer.prepareStatement("UPDATE stream SET last_failure = ?, last_error = ?,"
                    + " consecutive_failures = consecutive_failures + 1, stopped = ? WHERE stream_key = ?")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, error);
                ps.setInt(3, fatal ? 1 : 0);
                ps.setString(4, streamKey);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void recordWarning(String streamKey, Instant at, String warning) {
        inTransaction("record a warning of " + streamKey, () -> {
            ensureStream(streamKey);
            try (PreparedStatement ps = writer.prepareStatement("UPDATE stream SET last_warning = ? WHERE stream_key = ?")) {
                ps.setString(1, at + " " + warning);
                ps.setString(2, streamKey);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void markSent(String output, long seq) {
        inTransaction("mark alerts sent to " + output, () -> {
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO output_cursor(output, last_seq) VALUES (?, ?)"
                    + " ON CONFLICT(output) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)")) {
                ps.setString(1, output);
                ps.setLong(2, seq);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean enqueue(Alert alert) {
        return inTransaction("enqueue alert " + alert.id(), () -> insertAlert(alert, Instant.now().toEpochMilli()));
    }

    /**
     * Deletes seen event ids first seen before the cutoff, work-item marks and rejected records last
     * written before it, and alerts that every one of {@code outputs} has sent and that were created
     * before the cutoff (kept until then so that a re-created alert id is still recognised).
     */
    @Override
    public void prune(Instant cutoff, Collection<String> outputs) {
        long c = cutoff.toEpochMilli();
        inTransaction("prune", () -> {
            try (Statement st = writer.createStatement()) {
                int seen = st.executeUpdate("DELETE FROM seen_event WHERE first_seen < " + c);
                int items = st.executeUpdate("DELETE FROM stream_item WHERE updated_at < " + c);
                int rejected = st.executeUpdate("DELETE FROM rejected_record WHERE at < " + c);
                // a window that ended before the cutoff cannot suppress anything the poller still reads
                st.executeUpdate("DELETE FROM suppression WHERE until_time < " + c);
                int alerts = 0;
                if (!outputs.isEmpty()) {
                    long sentByAll = Long.MAX_VALUE;
                    try (PreparedStatement ps = writer.prepareStatement(
                            "SELECT COALESCE((SELECT last_seq FROM output_cursor WHERE output = ?), 0)")) {
                        for (String output : outputs) {
                            ps.setString(1, output);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                sentByAll = Math.min(sentByAll, rs.getLong(1));
                            }
                        }
                    }
                    alerts = st.executeUpdate("DELETE FROM alert_outbox WHERE seq <= " + sentByAll + " AND created_at < " + c);
                }
                LOG.debug("{}: pruned {} seen ids, {} work items, {} rejected records, {} sent alerts",
                        where, seen, items, rejected, alerts);
            }
            return null;
        });
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (reader != writer) {
                closeQuietly(reader);
            }
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA optimize");
            } catch (SQLException e) {
                LOG.debug("{}: PRAGMA optimize failed: {}", where, e.getMessage());
            }
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    private interface SqlRead<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs the work in one {@code BEGIN IMMEDIATE} transaction on the writer; rolls back on any error. */
    private <T> T inTransaction(String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            try (Statement st = writer.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
            }
            try {
                T result = work.run();
                try (Statement st = writer.createStatement()) {
                    st.execute("COMMIT");
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(what);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(where + ": cannot " + what + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    private void rollback(String what) {
        try (Statement st = writer.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            LOG.error("{}: rollback after a failed {} failed too: {}", where, what, e.getMessage());
        }
    }

    private <T> T read(String what, SqlRead<T> work) {
        readLock.lock();
        try {
            return work.run(reader);
        } catch (SQLException e) {
            throw new StoreException(where + ": cannot " + what + ": " + e.getMessage(), e);
        } finally {
            readLock.unlock();
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a store connection failed: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return where;
    }
}

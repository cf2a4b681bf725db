package dev.cadet.store;

import java.util.List;

/**
 * The store's schema, as numbered steps. Append new steps; never edit a released one. Times are
 * epoch milliseconds (INTEGER) so they compare and sort as numbers.
 */
final class SchemaMigrations {

    record Step(int version, String description, List<String> statements) {
    }

    static final List<Step> STEPS = List.of(
            new Step(1, "streams, seen events, work items, sequence state, outbox, rejected records", List.of(
                    """
                    CREATE TABLE stream (
                      stream_key           TEXT PRIMARY KEY,
                      watermark            INTEGER,
                      last_success         INTEGER,
                      last_failure         INTEGER,
                      last_error           TEXT,
                      last_warning         TEXT,
                      consecutive_failures INTEGER NOT NULL DEFAULT 0,
                      stopped              INTEGER NOT NULL DEFAULT 0,
                      requests             INTEGER NOT NULL DEFAULT 0,
                      throttles            INTEGER NOT NULL DEFAULT 0,
                      events               INTEGER NOT NULL DEFAULT 0,
                      rejected             INTEGER NOT NULL DEFAULT 0)""",
                    """
                    CREATE TABLE arrival_delay (
                      id         INTEGER PRIMARY KEY AUTOINCREMENT,
                      stream_key TEXT NOT NULL REFERENCES stream(stream_key),
                      delay_ms   INTEGER NOT NULL)""",
                    "CREATE INDEX arrival_delay_by_stream ON arrival_delay(stream_key, id)",
                    """
                    CREATE TABLE seen_event (
                      stream_key TEXT NOT NULL,
                      event_id   TEXT NOT NULL,
                      event_time INTEGER NOT NULL,
                      first_seen INTEGER NOT NULL,
                      PRIMARY KEY (stream_key, event_id)) WITHOUT ROWID""",
                    "CREATE INDEX seen_event_by_first_seen ON seen_event(first_seen)",
                    """
                    CREATE TABLE stream_item (
                      stream_key TEXT NOT NULL,
                      item_key   TEXT NOT NULL,
                      state      TEXT NOT NULL,
                      updated_at INTEGER NOT NULL,
                      PRIMARY KEY (stream_key, item_key)) WITHOUT ROWID""",
                    """
                    CREATE TABLE sequence_state (
                      rule_id    TEXT NOT NULL,
                      join_key   TEXT NOT NULL,
                      state      TEXT NOT NULL,
                      updated_at INTEGER NOT NULL,
                      PRIMARY KEY (rule_id, join_key)) WITHOUT ROWID""",
                    """
                    CREATE TABLE alert_outbox (
                      seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                      alert_id   TEXT NOT NULL UNIQUE,
                      json       TEXT NOT NULL,
                      created_at INTEGER NOT NULL)""",
                    """
                    CREATE TABLE output_cursor (
                      output   TEXT PRIMARY KEY,
                      last_seq INTEGER NOT NULL)""",
                    """
                    CREATE TABLE rejected_record (
                      id         INTEGER PRIMARY KEY AUTOINCREMENT,
                      stream_key TEXT NOT NULL,
                      origin     TEXT NOT NULL,
                      reason     TEXT NOT NULL,
                      body       TEXT NOT NULL,
                      body_sha   TEXT NOT NULL,
                      at         INTEGER NOT NULL,
                      UNIQUE (stream_key, body_sha))""",
                    "CREATE INDEX rejected_record_by_at ON rejected_record(at)")),
            new Step(2, "tuning: suppression windows, alerts and excepted/suppressed matches per rule", List.of(
                    """
                    CREATE TABLE suppression (
                      rule_id    TEXT NOT NULL,
                      key        TEXT NOT NULL,
                      start_time INTEGER NOT NULL,
                      until_time INTEGER NOT NULL,
                      PRIMARY KEY (rule_id, key)) WITHOUT ROWID""",
                    "CREATE INDEX suppression_by_until ON suppression(until_time)",
                    """
                    CREATE TABLE rule_stats (
                      rule_id    TEXT PRIMARY KEY,
                      alerts     INTEGER NOT NULL DEFAULT 0,
                      excepted   INTEGER NOT NULL DEFAULT 0,
                      suppressed INTEGER NOT NULL DEFAULT 0)""")));

    static int latest() {
        return STEPS.get(STEPS.size() - 1).version();
    }

    private SchemaMigrations() {
    }
}

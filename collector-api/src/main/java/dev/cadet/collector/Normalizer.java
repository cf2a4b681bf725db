package dev.cadet.collector;

import java.util.List;

/** Turns a vendor record into normalized {@link Event}s. Stateless and thread-safe. */
public interface Normalizer {

    /**
     * A cheap test whether a record of unknown origin (replay, the drop folder) is one of this
     * provider's records, in any of its shapes (an API record, an export record).
     */
    boolean recognizes(RawRecord record);

    /**
     * One or more events (a Workspace activity holds several). Each event's {@link Event#id()} is the
     * vendor's stable id for it, used for dedup and alert ids.
     *
     * @throws MalformedRecordException naming what is wrong; the host keeps the record aside and goes on
     */
    List<Event> normalize(RawRecord record) throws MalformedRecordException;
}

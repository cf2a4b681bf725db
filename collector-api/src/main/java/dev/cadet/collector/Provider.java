package dev.cadet.collector;

import java.util.List;

/**
 * One configured provider entry: the streams it serves and the source that reads them.
 * Providers never touch the store, the scheduler, the rules or the forwarder: the host owns
 * cursors, dedup, detection and delivery.
 */
public interface Provider extends AutoCloseable {

    /** The independent streams of this entry, e.g. one per (account, region). Fixed after create. */
    List<StreamSpec> streams();

    /** Reads windows of any of {@link #streams()}. */
    Source source();

    /**
     * True when this provider's records are in other providers' formats (a drop folder): the host
     * then routes each record to the normalizer that {@linkplain Normalizer#recognizes recognizes} it,
     * instead of this factory's own.
     */
    default boolean routesByShape() {
        return false;
    }

    /** Releases clients and threads. Called once, at shutdown. */
    @Override
    default void close() {
    }
}

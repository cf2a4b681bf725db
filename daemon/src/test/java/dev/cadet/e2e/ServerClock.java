package dev.cadet.e2e;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.poll.FakeClock;
import java.time.Instant;

/**
 * A plugin's source with the test clock as the server's clock: fetch is the plugin's own, untouched;
 * only {@link Source#serverNow} is replaced, so every window end is known in advance.
 */
record ServerClock(Source plugin, FakeClock clock) implements Source {
    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        plugin.fetch(stream, window, context);
    }

    @Override
    public Instant serverNow(StreamSpec stream) {
        return clock.instant();
    }
}

package dev.cadet.provider.aws.fetch;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.provider.aws.config.AwsSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * Reads one window of one (account, region) with {@code cloudtrail:LookupEvents}: StartTime and
 * EndTime are the window's bounds (CloudTrail includes both), 50 events a page, filtered on the server
 * by the configured lookup attribute and on our side by {@code event_names}. Pages come newest first;
 * order does not matter because the host commits the window as a whole.
 *
 * <p>Each pushed {@link RawRecord} is the event's {@code CloudTrailEvent} JSON, with the request and
 * page number as its origin. The NextToken lives only in this method. Thread-safe: the SDK clients are.
 */
public final class CloudTrailSource implements Source {

    /** The most LookupEvents returns per page. */
    static final int PAGE_SIZE = 50;
    private static final Logger LOG = LoggerFactory.getLogger(CloudTrailSource.class);

    private final SdkClients clients;
    private final LookupAttribute attribute;
    private final Set<String> eventNames;
    /** Streams whose assumed-role credentials were fetched once; later refreshes run in the background. */
    private final Set<String> warmed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public CloudTrailSource(SdkClients clients, AwsSettings.LookupAttribute attribute, Set<String> eventNames) {
        this.clients = clients;
        this.attribute = LookupAttribute.builder().attributeKey(attribute.key()).attributeValue(attribute.value()).build();
        this.eventNames = Set.copyOf(eventNames);
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        AccountRegion target = clients.forStream(stream.key());
        if (target == null) {
            throw CollectorException.fatal("stream " + stream.key() + " is not configured in this aws provider entry", null);
        }
        if (target.roleArn() != null && !warmed.contains(stream.key())) {
            // The first AssumeRole takes a quota slot of its own: inside the first LookupEvents call it
            // would delay that request past its slot, and the next one would follow it too closely.
            context.call("AssumeRole for " + stream.key(), () -> {
                target.resolveCredentials();
                return null;
            });
            warmed.add(stream.key());
        }
        String token = null;
        int page = 0;
        int kept = 0;
        do {
            if (context.stopping()) {
                throw CollectorException.retry("stopping before the end of window " + window + " of " + stream.key()
                        + "; it will be read again", null, null);
            }
            page++;
            LookupEventsRequest request = LookupEventsRequest.builder()
                    .startTime(window.start())
                    .endTime(window.end())
                    .maxResults(PAGE_SIZE)
                    .lookupAttributes(attribute)
                    .nextToken(token)
                    // the quota's next permit counts from when this request is sent, not from its permit
                    .overrideConfiguration(o -> o.putExecutionAttribute(SendReporter.ON_SEND, context::sending))
                    .build();
            String origin = "LookupEvents " + stream.key() + " page " + page;
            LookupEventsResponse response = context.call(origin, () -> target.lookup(request));
            List<RawRecord> records = records(response, origin, context);
            kept += records.size();
            if (!records.isEmpty()) {
                context.page(records);
            }
            String next = response.nextToken();
            if (next != null && next.isEmpty()) {
                next = null;
            }
            if (next != null && next.equals(token)) {
                // A server that repeats its token would keep us here forever.
                throw CollectorException.retry("CloudTrail returned the same NextToken twice for " + stream.key()
                        + " window " + window + "; the window will be read again", null, null);
            }
            token = next;
        } while (token != null);
        LOG.debug("{} window {}: {} pages, {} records kept", stream.key(), window, page, kept);
    }

    private List<RawRecord> records(LookupEventsResponse response, String origin, FetchContext context) {
        List<RawRecord> out = new ArrayList<>(response.events().size());
        for (Event event : response.events()) {
            if (!eventNames.isEmpty() && !eventNames.contains(event.eventName())) {
                continue;
            }
            String body = event.cloudTrailEvent();
            if (body == null || body.isBlank()) {
                context.warn(origin + ": event " + event.eventId() + " has no CloudTrailEvent; skipped");
                continue;
            }
            out.add(new RawRecord(body, origin));
        }
        return out;
    }
}

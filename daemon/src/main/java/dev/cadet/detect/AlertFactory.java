package dev.cadet.detect;

import dev.cadet.alert.Alert;
import dev.cadet.collector.Event;
import dev.cadet.detect.Detector.Match;
import dev.cadet.detect.Detector.MatchedEvent;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a {@link Match} into an {@link Alert}: rule metadata from the rule, actor / target / account
 * / source / dataset from the first event (the one that started it, e.g. the account creation),
 * timestamp from the last, and the stable id from the rule id and the event ids in event-time order.
 */
public final class AlertFactory {
    private final Function<String, Rule> rules;

    public AlertFactory(DetectionEngine engine) {
        this(engine::rule);
    }

    public AlertFactory(Function<String, Rule> rules) {
        this.rules = rules;
    }

    public Alert toAlert(Match match) {
        Rule rule = rules.apply(match.ruleId());
        if (rule == null) {
            throw new IllegalArgumentException("match for unknown rule " + match.ruleId());
        }
        if (match.events().isEmpty()) {
            throw new IllegalArgumentException("match of rule " + match.ruleId() + " has no events");
        }
        List<String> eventIds = match.events().stream().map(MatchedEvent::id).toList();
        Map<String, String> first = match.events().get(0).fields();
        MatchedEvent last = match.events().get(match.events().size() - 1);
        return new Alert(
                Alert.idOf(rule.id(), eventIds),
                last.timestamp(),
                rule.id(),
                rule.name(),
                rule.severity(),
                rule.riskScore(),
                rule.techniques(),
                first.get(Event.DATASET),
                first.get(Event.ACCOUNT_ID),
                first.get(Event.USER_NAME),
                first.get(Event.TARGET_NAME),
                first.get(Event.SOURCE_IP),
                eventIds,
                false);
    }
}

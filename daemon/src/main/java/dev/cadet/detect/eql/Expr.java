package dev.cadet.detect.eql;

import dev.cadet.collector.Event;

/**
 * A parsed EQL expression, evaluated against one event. The result is a value (see {@link Values});
 * a condition holds when it evaluates to true.
 */
public interface Expr {

    Object eval(Event event);

    default boolean test(Event event) {
        return Values.isTrue(eval(event));
    }
}

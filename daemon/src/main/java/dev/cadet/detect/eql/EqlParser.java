package dev.cadet.detect.eql;

import dev.cadet.detect.eql.Functions.Function;
import dev.cadet.detect.eql.Nodes.Op;
import dev.cadet.detect.eql.Query.JoinKey;
import dev.cadet.detect.eql.Query.Step;
import dev.cadet.detect.eql.Token.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Parses EQL (our own recursive-descent implementation of the language described in Elastic's EQL
 * syntax reference) into a {@link Query}. Anything outside the supported subset is rejected with
 * its line and column, never silently mis-read.
 */
public final class EqlParser {

    /** A parsed query and the warnings to show once when it is loaded. */
    public record Parsed(Query query, List<String> warnings) {
    }

    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "like", "regex", "where",
            "sequence", "by", "with", "until", "true", "false", "null", "any", "join", "sample", "of");

    private final List<Token> tokens;
    private final List<String> warnings = new ArrayList<>();
    private int pos;
    private static final int MAX_NESTING = 100;
    /** Depth of nested expressions (parentheses, function arguments): bounded, so the stack is. */
    private int nesting;
    /** Inside a function's arguments, where plain values are allowed. */
    private int argumentDepth;

    private EqlParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    public static Parsed parse(String text) throws EqlParseException {
        EqlParser p = new EqlParser(Lexer.tokens(text));
        Query q = p.query();
        return new Parsed(q, List.copyOf(p.warnings));
    }

    // ---- queries

    private Query query() throws EqlParseException {
        Token t = peek();
        Query q;
        if (t.isKeyword("sequence")) {
            q = sequence();
        } else if (t.isKeyword("join")) {
            throw unsupported(t, "join queries are not supported", "use a sequence with 'by' keys");
        } else if (t.isKeyword("sample")) {
            throw unsupported(t, "sample queries are not supported", "use a sequence with 'by' keys");
        } else if (t.kind() == Kind.EOF) {
            throw error(t, "empty query", "write e.g. any where event.action == \"CreateUser\"");
        } else {
            Step step = eventQuery();
            q = new Query(false, List.of(), null, List.of(step), null);
        }
        Token end = peek();
        if (end.is("|")) {
            throw unsupported(end, "pipes (| head, | tail, | filter, ...) are not supported",
                    "remove the pipe; alerting needs every match");
        }
        if (end.kind() != Kind.EOF) {
            throw error(end, "unexpected " + end.describe() + " after the end of the query",
                    "combine conditions with 'and' / 'or'");
        }
        return q;
    }

    private Step eventQuery() throws EqlParseException {
        Token t = next();
        String category;
        if (t.isKeyword("any")) {
            category = null;
        } else if (t.kind() == Kind.IDENT && !KEYWORDS.contains(t.text()) && t.value() instanceof String s) {
            category = s;
        } else if (t.kind() == Kind.STRING || t.kind() == Kind.QUOTED_IDENT) {
            category = (String) t.value();
        } else {
            throw error(t, "expected an event category (or 'any') but found " + t.describe(),
                    "an event query reads: any where <condition>");
        }
        expectKeyword("where", "an event query reads: <category> where <condition>");
        Expr condition = expression();
        return new Step(category, condition, List.of(), t.line(), t.column());
    }

    private Query sequence() throws EqlParseException {
        Token seq = next();
        List<JoinKey> by = List.of();
        Duration maxspan = null;
        boolean sawBy = false;
        boolean sawWith = false;
        while (peek().isKeyword("by") || peek().isKeyword("with")) {
            Token t = next();
            if (t.isKeyword("by")) {
                if (sawBy) {
                    throw error(t, "'by' given twice for the sequence", null);
                }
                sawBy = true;
                by = joinKeys();
            } else {
                if (sawWith) {
                    throw error(t, "'with' given twice for the sequence", null);
                }
                sawWith = true;
                maxspan = maxspan();
            }
        }
        List<Step> steps = new ArrayList<>();
        Step until = null;
        while (true) {
            Token t = peek();
            if (t.is("[")) {
                steps.add(bracketedStep(false));
            } else if (t.is("!")) {
                throw unsupported(t, "missing-event steps (![...]) are not supported", null);
            } else if (t.isKeyword("until")) {
                next();
                if (!peek().is("[")) {
                    throw error(peek(), "expected '[' after 'until'", "until [any where ...]");
                }
                until = bracketedStep(true);
                break;
            } else {
                break;
            }
        }
        if (steps.isEmpty()) {
            throw error(peek(), "a sequence needs at least one [query]", "sequence by k [any where ...] [any where ...]");
        }
        int perStep = steps.get(0).by().size();
        for (Step s : until == null ? steps : concat(steps, until)) {
            if (s.by().size() != perStep) {
                throw error(s.line(), s.column(), "every query of a sequence needs the same number of 'by' keys ("
                        + perStep + " in the first, " + s.by().size() + " here)", null);
            }
        }
        if (steps.size() == 1) {
            warnings.add(seq.line() + ":" + seq.column() + ": sequence with a single query: Elasticsearch rejects"
                    + " this; cadet runs it as a sequence of one (every matching event is a match)");
        }
        return new Query(true, by, maxspan, steps, until);
    }

    private static List<Step> concat(List<Step> steps, Step until) {
        List<Step> all = new ArrayList<>(steps);
        all.add(until);
        return all;
    }

    private Step bracketedStep(boolean isUntil) throws EqlParseException {
        expectSymbol("[", null);
        Step inner = eventQuery();
        expectSymbol("]", "close the query with ]");
        List<JoinKey> by = List.of();
        if (peek().isKeyword("by")) {
            next();
            by = joinKeys();
        }
        if (peek().isKeyword("with")) {
            Token w = peek();
            throw unsupported(w, "'with' after a sequence " + (isUntil ? "'until' query" : "step") + " (runs=) is not supported",
                    "repeat the step instead");
        }
        return new Step(inner.category(), inner.condition(), by, inner.line(), inner.column());
    }

    private List<JoinKey> joinKeys() throws EqlParseException {
        List<JoinKey> keys = new ArrayList<>();
        do {
            Token t = peek();
            boolean optional = false;
            if (t.is("?")) {
                next();
                optional = true;
            }
            Token f = next();
            if (!isFieldToken(f)) {
                throw error(f, "expected a field name as join key but found " + f.describe(), null);
            }
            keys.add(new JoinKey((String) f.value(), optional));
        } while (acceptSymbol(","));
        return keys;
    }

    private Duration maxspan() throws EqlParseException {
        Token name = next();
        if (!name.isKeyword("maxspan")) {
            throw unsupported(name, "unsupported sequence parameter " + name.describe(), "only maxspan=<n><unit> is supported");
        }
        expectSymbol("=", "write maxspan=5m");
        Token d = next();
        if (d.kind() == Kind.NUMBER) {
            throw error(d, "maxspan needs a time unit", "write e.g. maxspan=" + d.text() + "s (units: ms, s, m, h, d)");
        }
        if (!(d.value() instanceof Object[] parts)) {
            throw error(d, "expected a duration after maxspan= but found " + d.describe(), "e.g. maxspan=5m");
        }
        long n = (Long) parts[0];
        String unit = (String) parts[1];
        try {
            Duration span = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw error(d, "unknown time unit '" + unit + "'", "units: ms, s, m, h, d");
            };
            if (span.isZero()) {
                throw error(d, "maxspan must be greater than zero", null);
            }
            return span;
        } catch (ArithmeticException e) {
            throw error(d, "maxspan too large", null);
        }
    }

    // ---- expressions

    private Expr expression() throws EqlParseException {
        if (++nesting > MAX_NESTING) {
            throw error(peek(), "expression nested more than " + MAX_NESTING + " levels deep", null);
        }
        Expr left = conjunction();
        while (peek().isKeyword("or")) {
            next();
            left = new Nodes.Or(left, conjunction());
        }
        nesting--;
        return left;
    }

    private Expr conjunction() throws EqlParseException {
        Expr left = negation();
        while (peek().isKeyword("and")) {
            next();
            left = new Nodes.And(left, negation());
        }
        return left;
    }

    private Expr negation() throws EqlParseException {
        int nots = 0;
        while (peek().isKeyword("not")) {
            next();
            nots++;
        }
        Expr e = predicate();
        for (int i = 0; i < nots; i++) {
            e = new Nodes.Not(e);
        }
        return e;
    }

    private Expr predicate() throws EqlParseException {
        Token start = peek();
        if ((start.isKeyword("descendant") || start.isKeyword("child") || start.isKeyword("event")) && peek(1).isKeyword("of")) {
            throw unsupported(start, "process lineage ('" + start.text() + " of') is not supported",
                    "cloud audit records have no process tree: use a sequence by a shared field instead");
        }
        Expr left = term();
        Token op = peek();
        if (op.kind() == Kind.SYMBOL) {
            for (Op o : Op.values()) {
                if (op.is(o.symbol)) {
                    next();
                    return new Nodes.Compare(o, left, term());
                }
            }
            if (op.is("=")) {
                throw error(op, "'=' is not a comparison", "use == for equality");
            }
            if (op.is(":")) {
                next();
                if (peek().is("*") && !(left instanceof Nodes.Field)) {
                    throw error(peek(), "': *' (exists) needs a field on the left", null);
                }
                if (peek().is("*") && left instanceof Nodes.Field f) {
                    next();
                    return new Nodes.Exists(f);
                }
                return match(left, ":", true, false);
            }
            if (op.is("+") || op.is("-") || op.is("*") || op.is("/") || op.is("%")) {
                throw unsupported(op, "arithmetic operator '" + op.text() + "' is not supported",
                        "use add(), subtract(), multiply(), divide() or modulo()");
            }
        }
        if (op.isKeyword("in")) {
            next();
            return in(left, false, acceptTilde());
        }
        if (op.isKeyword("not") && peek(1).isKeyword("in")) {
            next();
            next();
            return in(left, true, acceptTilde());
        }
        if (op.isKeyword("like") || op.isKeyword("regex")) {
            next();
            boolean ic = acceptTilde();
            return match(left, op.text() + (ic ? "~" : ""), ic, op.isKeyword("regex"));
        }
        if (op.isKeyword("not") && (peek(1).isKeyword("like") || peek(1).isKeyword("regex"))) {
            throw unsupported(op, "'not " + peek(1).text() + "' is not supported", "write: not (field " + peek(1).text() + " ...)");
        }
        // A boolean field alone is a test of that field; any other value alone is a mistake.
        if (argumentDepth == 0 && left instanceof Nodes.Literal lit && !(lit.value() instanceof Boolean)) {
            throw error(start, "a value alone is not a condition: " + start.describe(), "compare a field to it");
        }
        return left;
    }

    private boolean acceptTilde() {
        if (peek().is("~")) {
            next();
            return true;
        }
        return false;
    }

    private Expr in(Expr left, boolean negated, boolean ignoreCase) throws EqlParseException {
        expectSymbol("(", "in takes a list: field in (\"a\", \"b\")");
        List<Expr> items = new ArrayList<>();
        if (!peek().is(")")) {
            do {
                items.add(term());
            } while (acceptSymbol(","));
        }
        expectSymbol(")", "close the list with )");
        if (items.isEmpty()) {
            throw error(peek(), "empty list after 'in'", null);
        }
        return new Nodes.In(left, items, negated, ignoreCase);
    }

    /** The right side of {@code :}, {@code like}, {@code regex}: one literal or a parenthesized list of them. */
    private Expr match(Expr left, String operator, boolean ignoreCase, boolean regex) throws EqlParseException {
        List<Token> patterns = new ArrayList<>();
        if (acceptSymbol("(")) {
            do {
                patterns.add(next());
            } while (acceptSymbol(","));
            expectSymbol(")", "close the list with )");
        } else {
            patterns.add(next());
        }
        List<Predicate<Object>> tests = new ArrayList<>();
        Set<String> literals = operator.equals(":") ? new HashSet<>() : null;
        for (Token p : patterns) {
            if (p.kind() == Kind.NUMBER || p.isKeyword("true") || p.isKeyword("false")) {
                if (!operator.equals(":")) {
                    throw error(p, operator + " needs a string pattern", null);
                }
                Object lit = p.kind() == Kind.NUMBER ? p.value() : Boolean.valueOf(p.text());
                tests.add(v -> Values.equal(v, lit, false));
                literals = null;
                continue;
            }
            if (p.kind() != Kind.STRING) {
                throw error(p, "the right side of " + operator + " must be a string literal (or a list of them), found "
                        + p.describe(), operator.equals(":") ? "use == to compare two fields; field : * tests existence" : null);
            }
            String s = (String) p.value();
            if (regex) {
                try {
                    Pattern re = LuceneRegex.compile(s, ignoreCase);
                    tests.add(v -> re.matcher(Values.text(v)).matches());
                } catch (LuceneRegex.SyntaxException e) {
                    String where = " (at character " + (e.offset + 1) + " of the pattern)";
                    String hint = "regex takes Lucene's syntax, as Elasticsearch: \\ makes a character literal, . matches line breaks too";
                    throw e.unsupported ? unsupported(p, e.getMessage() + where, hint)
                            : error(p, "bad regular expression: " + e.getMessage() + where, hint);
                }
            } else if (s.indexOf('*') < 0 && s.indexOf('?') < 0) {
                tests.add(v -> Values.equal(v, s, ignoreCase));
                if (literals != null) {
                    literals.add(s);
                }
            } else {
                Wildcard w = new Wildcard(s, ignoreCase);
                tests.add(v -> w.matches(Values.text(v)));
                literals = null;
            }
        }
        return new Nodes.Match(left, operator, tests, literals == null ? null : Set.copyOf(literals));
    }

    private Expr term() throws EqlParseException {
        Token t = next();
        switch (t.kind()) {
            case STRING:
                return new Nodes.Literal(t.value());
            case NUMBER:
                return new Nodes.Literal(t.value());
            case QUOTED_IDENT:
                return new Nodes.Field((String) t.value(), false);
            case SYMBOL:
                if (t.is("(")) {
                    Expr inner = expression();
                    expectSymbol(")", "unbalanced parenthesis");
                    return inner;
                }
                if (t.is("-") && peek().kind() == Kind.NUMBER) {
                    Object n = next().value();
                    return new Nodes.Literal(n instanceof Long l ? (Object) (-l) : (Object) (-(Double) n));
                }
                if (t.is("?")) {
                    Token f = next();
                    if (!isFieldToken(f)) {
                        throw error(f, "expected a field name after '?' but found " + f.describe(), null);
                    }
                    return new Nodes.Field((String) f.value(), true);
                }
                throw error(t, "unexpected " + t.describe(), "expected a field, a value or a function call");
            case IDENT:
                break;
            default:
                throw error(t, "unexpected " + t.describe(), "the condition is incomplete");
        }
        switch (t.text()) {
            case "true":
                return new Nodes.Literal(Boolean.TRUE);
            case "false":
                return new Nodes.Literal(Boolean.FALSE);
            case "null":
                return new Nodes.Literal(null);
            default:
                break;
        }
        if (t.value() instanceof Object[]) {
            throw error(t, "unexpected " + t.describe(), "time units are only allowed in maxspan=");
        }
        if (KEYWORDS.contains(t.text())) {
            throw error(t, "unexpected keyword '" + t.text() + "'", "a backquoted `" + t.text() + "` is a field name");
        }
        // A name directly followed by '(' or '~(' is a function call.
        if (peek().is("(") || (peek().is("~") && peek(1).is("("))) {
            return call(t);
        }
        return new Nodes.Field(t.text(), false);
    }

    private Expr call(Token name) throws EqlParseException {
        boolean ic = acceptTilde();
        Function f = Functions.byName(name.text());
        if (f == null) {
            String hint = "supported functions: " + Functions.names();
            for (Function candidate : Function.values()) {
                if (candidate.eqlName.equalsIgnoreCase(name.text())) {
                    hint = "function names are case-sensitive: " + candidate.eqlName;
                }
            }
            throw unsupported(name, "unsupported function '" + name.text() + "'", hint);
        }
        if (ic && !f.hasCaseInsensitive) {
            throw error(name, f.eqlName + " has no case-insensitive (~) form", null);
        }
        expectSymbol("(", null);
        List<Expr> args = new ArrayList<>();
        argumentDepth++;
        if (!peek().is(")")) {
            do {
                args.add(expression());
            } while (acceptSymbol(","));
        }
        argumentDepth--;
        expectSymbol(")", "close the argument list with )");
        if (args.size() < f.minArgs || args.size() > f.maxArgs) {
            String expected = f.maxArgs == Functions.VARARGS ? "at least " + f.minArgs
                    : f.minArgs == f.maxArgs ? String.valueOf(f.minArgs) : f.minArgs + " to " + f.maxArgs;
            throw error(name, f.eqlName + " takes " + expected + " argument(s), got " + args.size(), null);
        }
        if (f == Function.CIDR_MATCH) {
            List<Functions.Cidr> networks = new ArrayList<>();
            for (Expr a : args.subList(1, args.size())) {
                if (a instanceof Nodes.Literal lit) {
                    Functions.Cidr cidr = lit.value() instanceof String s ? Functions.Cidr.parse(s) : null;
                    if (cidr == null) {
                        throw error(name, "cidrMatch: not a CIDR block: " + lit.value(), "e.g. \"10.0.0.0/8\" or \"2001:db8::/32\"");
                    }
                    networks.add(cidr);
                }
            }
            if (networks.size() == args.size() - 1) {
                return new Nodes.CidrMatch(args.get(0), List.copyOf(networks));
            }
        }
        return new Nodes.Call(f, ic, args);
    }

    // ---- tokens

    private static boolean isFieldToken(Token t) {
        return t.kind() == Kind.QUOTED_IDENT
                || (t.kind() == Kind.IDENT && t.value() instanceof String && !KEYWORDS.contains(t.text()));
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Kind.EOF) {
            pos++;
        }
        return t;
    }

    private boolean acceptSymbol(String s) {
        if (peek().is(s)) {
            next();
            return true;
        }
        return false;
    }

    private void expectSymbol(String s, String hint) throws EqlParseException {
        Token t = next();
        if (!t.is(s)) {
            throw error(t, "expected '" + s + "' but found " + t.describe(), hint);
        }
    }

    private void expectKeyword(String k, String hint) throws EqlParseException {
        Token t = next();
        if (!t.isKeyword(k)) {
            throw error(t, "expected '" + k + "' but found " + t.describe(), hint);
        }
    }

    private static EqlParseException error(Token t, String problem, String hint) {
        return new EqlParseException(t.line(), t.column(), problem, hint);
    }

    private static EqlParseException error(int line, int column, String problem, String hint) {
        return new EqlParseException(line, column, problem, hint);
    }

    private static EqlParseException unsupported(Token t, String problem, String hint) {
        return new EqlParseException(t.line(), t.column(), "unsupported: " + problem, hint);
    }
}

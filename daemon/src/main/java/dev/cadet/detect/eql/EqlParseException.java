package dev.cadet.detect.eql;

/**
 * A query that cannot be run: a syntax error, or a construct cadet does not support. Always names
 * the 1-based line and column of the offending token and, where one helps, a hint.
 */
public final class EqlParseException extends Exception {
    private final int line;
    private final int column;
    private final String problem;
    private final String hint;

    public EqlParseException(int line, int column, String problem, String hint) {
        super(line + ":" + column + ": " + problem + (hint == null ? "" : " (hint: " + hint + ")"));
        this.line = line;
        this.column = column;
        this.problem = problem;
        this.hint = hint;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The problem without position or hint. */
    public String problem() {
        return problem;
    }

    /** A suggestion for fixing it, or null. */
    public String hint() {
        return hint;
    }
}

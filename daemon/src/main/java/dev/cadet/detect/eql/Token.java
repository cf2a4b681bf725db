package dev.cadet.detect.eql;

/** One lexical token, with its 1-based position in the query text. */
record Token(Kind kind, String text, Object value, int line, int column) {

    enum Kind {
        /** A field name or keyword; {@code value} is the name (backquotes removed). */
        IDENT,
        /** A backquoted field name: never a keyword. */
        QUOTED_IDENT,
        STRING,
        NUMBER,
        /** Punctuation and operators; {@code text} is the symbol. */
        SYMBOL,
        EOF
    }

    boolean is(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    boolean isKeyword(String keyword) {
        return kind == Kind.IDENT && text.equals(keyword);
    }

    String describe() {
        return switch (kind) {
            case EOF -> "end of query";
            case STRING -> "string " + text;
            default -> "'" + text + "'";
        };
    }
}

package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    private static String quoted(Instant t) {
        StringBuilder out = new StringBuilder();
        JsonText.quote(out, t);
        return out.toString();
    }

    /** Sequence state is read back with Instant.parse and compared as text in tests: the writer must be toString exactly. */
    @Test
    void instantsAreWrittenAsInstantToStringWrites() {
        Instant[] edges = {Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX,
                Instant.parse("2024-02-29T12:00:00.100Z"), Instant.parse("2100-03-01T00:00:00.000001Z"),
                Instant.parse("1969-12-31T23:59:59.000000001Z"), Instant.parse("2000-02-29T23:59:59.120Z")};
        for (Instant t : edges) {
            assertEquals('"' + t.toString() + '"', quoted(t), t::toString);
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            long second = random.nextLong(-62_200_000_000L, 253_500_000_000L); // a little beyond 0000..9999 both ways
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(second, nano);
            assertEquals('"' + t.toString() + '"', quoted(t), t::toString);
        }
    }
}

package dev.cadet.provider.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.RawRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropFolderReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<List<RawRecord>> pages = new ArrayList<>();

    private DropFolderReader.Result read(DropFolderReader reader, Path file) throws IOException {
        return reader.read(file, "drop/" + file.getFileName(), p -> {
            pages.add(p);
            return true;
        });
    }

    private List<RawRecord> records() {
        return pages.stream().flatMap(List::stream).toList();
    }

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private static JsonNode tree(String json) throws IOException {
        return JSON.readTree(json);
    }

    @Test
    void cloudTrailS3FileGivesEachElementOfRecords() throws Exception {
        Path f = write("ct.json", """
                {"Records": [
                  {"eventID": "a", "eventName": "CreateUser", "requestParameters": {"userName": "bob"}, "n": 1.50},
                  {"eventID": "b", "eventName": "CreateAccessKey", "tags": ["x", null, true]}
                ]}
                """);
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.ENVELOPE, r.shape());
        assertEquals(2, r.records());
        assertNull(r.problem());
        assertFalse(r.stopped());
        List<RawRecord> recs = records();
        assertEquals(tree("{\"eventID\": \"a\", \"eventName\": \"CreateUser\", \"requestParameters\": {\"userName\": \"bob\"}, \"n\": 1.50}"),
                tree(recs.get(0).body()));
        assertTrue(recs.get(0).body().contains("1.50"), "numbers are copied as written: " + recs.get(0).body());
        assertEquals(tree("{\"eventID\": \"b\", \"eventName\": \"CreateAccessKey\", \"tags\": [\"x\", null, true]}"), tree(recs.get(1).body()));
        assertEquals("drop/ct.json:2", recs.get(0).origin());
        assertEquals("drop/ct.json:3", recs.get(1).origin());
    }

    @Test
    void apiPagesGiveTheirEnvelopeArraysWhateverComesBeforeOrAfter() throws Exception {
        DropFolderReader reader = new DropFolderReader(List.of("logEvents"), 500);
        String[] files = {
            "{\"Events\": [{\"EventId\": \"1\"}, {\"EventId\": \"2\"}], \"NextToken\": \"abc\"}",
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits\", \"@odata.nextLink\": {\"x\": [1]}, \"value\": [{\"id\": \"1\"}, {\"id\": \"2\"}]}",
            "{\"kind\": \"admin#reports#activities\", \"items\": [{\"id\": {\"time\": \"t\"}}, {\"id\": {\"time\": \"u\"}}]}",
            "{\"entries\": [{\"insertId\": \"1\"}, {\"insertId\": \"2\"}], \"nextPageToken\": \"n\"}",
            "{\"logGroup\": \"g\", \"logEvents\": [{\"id\": \"1\"}, {\"id\": \"2\"}]}",
        };
        for (int i = 0; i < files.length; i++) {
            pages.clear();
            DropFolderReader.Result r = read(reader, write("page" + i + ".json", files[i]));
            assertEquals(DropFolderReader.Shape.ENVELOPE, r.shape(), files[i]);
            assertEquals(2, r.records(), files[i]);
            assertNull(r.problem());
            JsonNode envelope = tree(files[i]);
            JsonNode array = null;
            for (String name : List.of("Events", "value", "items", "entries", "logEvents")) {
                if (envelope.has(name)) {
                    array = envelope.get(name);
                }
            }
            assertEquals(array.get(0), tree(records().get(0).body()));
            assertEquals(array.get(1), tree(records().get(1).body()));
        }
    }

    @Test
    void severalEnvelopesOneAfterAnotherAreAllRead() throws Exception {
        Path f = write("pages.json", "{\"Events\": [{\"EventId\": \"1\"}]}\n{\"Events\": [{\"EventId\": \"2\"}, {\"EventId\": \"3\"}]}\n");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.ENVELOPE, r.shape());
        assertEquals(List.of("1", "2", "3"), ids(records(), "EventId"));
        assertEquals("drop/pages.json:2", records().get(2).origin());
    }

    @Test
    void aTopLevelArrayGivesEachElement() throws Exception {
        Path f = write("blob.json", "[\n{\"Id\": \"1\", \"Operation\": \"Add user.\"},\n{\"Id\": \"2\"},\n{\"Id\": \"3\"}\n]");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.ARRAY, r.shape());
        assertEquals(List.of("1", "2", "3"), ids(records(), "Id"));
        assertEquals(List.of("drop/blob.json:2", "drop/blob.json:3", "drop/blob.json:4"),
                records().stream().map(RawRecord::origin).toList());
    }

    @Test
    void ndjsonGivesEachLineAndSkipsBlankOnes() throws Exception {
        Path f = write("x.ndjson", "{\"id\": \"1\"}\n\n   \n{\"id\": \"2\", \"value\": 5}\r\n{\"id\": \"3\", \"Records\": \"not an array\"}\n");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.NDJSON, r.shape());
        assertNull(r.problem());
        assertEquals(List.of("1", "2", "3"), ids(records(), "id"));
        assertEquals("{\"id\": \"2\", \"value\": 5}", records().get(1).body());
        assertEquals(List.of("drop/x.ndjson:1", "drop/x.ndjson:4", "drop/x.ndjson:5"),
                records().stream().map(RawRecord::origin).toList());
    }

    @Test
    void aBadNdjsonLineIsReportedWithItsPositionAndTheOthersAreKept() throws Exception {
        Path f = write("x.ndjson", "{\"id\": \"1\"}\n{\"id\": \"2\"}\n{\"id\": \"3\", oops}\n{\"id\": \"4\"}\n[1]\n{\"id\": \"5\"}\n");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.NDJSON, r.shape());
        assertEquals(List.of("1", "2", "4", "5"), ids(records(), "id"));
        assertTrue(r.problem().startsWith("drop/x.ndjson:3:13: "), r.problem());
        assertTrue(r.problem().contains("drop/x.ndjson:5:1: expected a JSON object"), r.problem());
    }

    @Test
    void aBadFirstNdjsonLineDoesNotCostTheOthers() throws Exception {
        Path f = write("x.ndjson", "{\"id\": \"1\",}\n{\"id\": \"2\"}\n");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.NDJSON, r.shape());
        assertEquals(List.of("2"), ids(records(), "id"));
        assertTrue(r.problem().startsWith("drop/x.ndjson:1:"), r.problem());
    }

    @Test
    void aPrettyPrintedRecordIsOneRecord() throws Exception {
        Path f = write("one.json", "{\n  \"eventID\": \"a\",\n  \"userIdentity\": {\"type\": \"Root\"}\n}\n");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.JSON_STREAM, r.shape());
        assertEquals(1, r.records());
        assertEquals(tree(Files.readString(f)), tree(records().get(0).body()));
        assertEquals("drop/one.json:1", records().get(0).origin());
    }

    @Test
    void aBrokenFileDeliversWhatParsedAndReportsWhere() throws Exception {
        Path f = write("broken.json", "{\"Records\": [\n{\"eventID\": \"a\"},\n{\"eventID\": \"b\"},\n{\"eventID\": \"c\" \"x\"},\n{\"eventID\": \"d\"}\n]}");
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(List.of("a", "b"), ids(records(), "eventID"));
        assertTrue(r.problem().startsWith("drop/broken.json:4:17: Unexpected character"), r.problem());

        pages.clear();
        DropFolderReader.Result truncated = read(new DropFolderReader(), write("cut.json", "[{\"Id\": \"1\"}, {\"Id\": \"2\"}, {\"Id\": "));
        assertEquals(List.of("1", "2"), ids(records(), "Id"));
        assertTrue(truncated.problem().startsWith("drop/cut.json:1:"), truncated.problem());

        pages.clear();
        DropFolderReader.Result notJson = read(new DropFolderReader(), write("text.log", "hello world\n"));
        assertEquals(0, notJson.records());
        assertTrue(notJson.problem().startsWith("drop/text.log:1:"), notJson.problem());
    }

    @Test
    void gzippedFilesAreReadWhateverTheirName() throws Exception {
        Path f = dir.resolve("111111111111_CloudTrail_us-east-1_20240101T0000Z_abc.json.gz");
        try (Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(f)), StandardCharsets.UTF_8)) {
            w.write("{\"Records\":[{\"eventID\":\"a\"},{\"eventID\":\"b\"}]}");
        }
        Path renamed = Files.copy(f, dir.resolve("no-extension"));
        DropFolderReader.Result r = read(new DropFolderReader(), f);
        assertEquals(DropFolderReader.Shape.ENVELOPE, r.shape());
        assertEquals(List.of("a", "b"), ids(records(), "eventID"));
        pages.clear();
        read(new DropFolderReader(), renamed);
        assertEquals(List.of("a", "b"), ids(records(), "eventID"));
    }

    @Test
    void anEmptyFileHasNoRecordsAndNoProblem() throws Exception {
        DropFolderReader.Result r = read(new DropFolderReader(), write("empty.json", "  \n"));
        assertEquals(DropFolderReader.Shape.EMPTY, r.shape());
        assertEquals(0, r.records());
        assertNull(r.problem());
    }

    @Test
    void pagesHoldAtMostThePageSizeAndTheSinkCanStopTheReading() throws Exception {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"Id\":\"").append(i).append("\"}");
        }
        Path f = write("ten.json", sb.append("]").toString());
        read(new DropFolderReader(List.of(), 3), f);
        assertEquals(List.of(3, 3, 3, 1), pages.stream().map(List::size).toList());

        List<List<RawRecord>> seen = new ArrayList<>();
        DropFolderReader.Result r = new DropFolderReader(List.of(), 3).read(f, "ten.json", p -> {
            seen.add(p);
            return seen.size() < 2;
        });
        assertTrue(r.stopped());
        assertEquals(6, r.records());
        assertEquals(2, seen.size());
    }

    @Test
    void aLargeFileIsStreamedRecordByRecord() throws Exception {
        int n = 200_000;
        Path f = dir.resolve("big.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f));
             Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
            w.write("{\"Records\":[\n");
            for (int i = 0; i < n; i++) {
                w.write((i == 0 ? "" : ",\n") + "{\"eventID\":\"id-" + i + "\",\"eventName\":\"CreateUser\",\"requestParameters\":{\"userName\":\"u" + i + "\"}}");
            }
            w.write("\n]}\n");
        }
        long[] count = {0};
        String[] last = {null};
        int[] maxPage = {0};
        DropFolderReader.Result r = new DropFolderReader().read(f, "big.json.gz", p -> {
            for (RawRecord rec : p) {
                String expected = "id-" + count[0];
                assertTrue(rec.body().contains("\"eventID\":\"" + expected + "\""), rec.body());
                count[0]++;
                last[0] = rec.origin();
            }
            maxPage[0] = Math.max(maxPage[0], p.size());
            return true;
        });
        assertNull(r.problem());
        assertEquals(n, r.records());
        assertEquals(n, count[0]);
        assertEquals(500, maxPage[0]);
        assertEquals("big.json.gz:" + (n + 1), last[0]);
    }

    /** Every corpus file, whatever its shape, gives the records a whole-tree parse finds, in order. */
    @Test
    void readsTheRealSampleFiles() throws Exception {
        String shared = System.getProperty("cadet.shared.dir");
        Path corpus = shared == null ? null : Path.of(shared, "corpus");
        boolean present = corpus != null && Files.isDirectory(corpus);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            throw new AssertionError("corpus not found at " + corpus + " (CADET_REQUIRE_CORPUS=1)");
        }
        Assumptions.assumeTrue(present, "corpus not found at " + corpus + ": skipping the real-sample test");
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".ndjson")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            pages.clear();
            DropFolderReader.Result r = read(new DropFolderReader(), f);
            assertNull(r.problem(), f + ": " + r.problem());
            List<JsonNode> expected = new ArrayList<>();
            if (f.toString().endsWith(".ndjson")) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        expected.add(tree(line));
                    }
                }
            } else {
                JsonNode whole = tree(Files.readString(f));
                JsonNode array = whole.isArray() ? whole : null;
                for (String name : DropFolderReader.ENVELOPE_FIELDS) {
                    if (array == null && whole.path(name).isArray()) {
                        array = whole.get(name);
                    }
                }
                if (array == null) {
                    expected.add(whole);
                } else {
                    array.forEach(expected::add);
                }
            }
            List<JsonNode> got = new ArrayList<>();
            for (RawRecord rec : records()) {
                got.add(tree(rec.body()));
            }
            assertEquals(expected, got, f.toString());
        }
    }

    private static List<String> ids(List<RawRecord> records, String field) throws IOException {
        List<String> out = new ArrayList<>();
        for (RawRecord r : records) {
            out.add(tree(r.body()).get(field).asText());
        }
        return out;
    }
}

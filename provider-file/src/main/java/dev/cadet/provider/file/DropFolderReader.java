package dev.cadet.provider.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.cadet.collector.RawRecord;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Splits an exported audit file into records, whatever its shape, reading it as a stream so that
 * memory is bounded by one record, never by the file. Shapes, detected from the content:
 * <ul>
 * <li>{@link Shape#ENVELOPE}: a JSON object with an envelope array ({@code Records}: CloudTrail S3
 *     files, {@code Events}: LookupEvents pages, {@code value}: Graph pages, {@code items}: Workspace
 *     pages, {@code entries}: Cloud Logging, plus configured names): each element is a record;</li>
 * <li>{@link Shape#ARRAY}: a top-level JSON array (O365 content blobs): each element;</li>
 * <li>{@link Shape#NDJSON}: one JSON object per line, blank lines skipped: each line. A bad line is
 *     reported and the following lines are still read;</li>
 * <li>{@link Shape#JSON_STREAM}: anything else, such as one pretty-printed record or several records
 *     one after another: each top-level object (or array element).</li>
 * </ul>
 * Gzipped files are recognized by their magic bytes. A syntax error ends the file (except in NDJSON):
 * the records before it are delivered, and the error is returned with its line and column.
 * Each record's origin is {@code <origin>:<line>}, the line where the record starts.
 *
 * <p>Used by the drop-folder source, and by {@code cadet replay} through the plugin.
 */
public final class DropFolderReader {

    /** The envelope arrays always recognized. */
    public static final List<String> ENVELOPE_FIELDS = List.of("Records", "Events", "value", "items", "entries");
    public static final int DEFAULT_PAGE_SIZE = 500;
    private static final int MAX_REPORTED_LINES = 10;
    private static final int MAX_MESSAGE = 200;

    public enum Shape { EMPTY, ENVELOPE, ARRAY, NDJSON, JSON_STREAM }

    /** Receives pages of records; returns false to stop reading (the daemon is stopping). */
    @FunctionalInterface
    public interface PageSink {
        boolean page(List<RawRecord> records);
    }

    /**
     * What reading one file gave.
     *
     * @param shape   the detected shape
     * @param records how many records were delivered
     * @param problem null, or what was wrong and where ({@code x.json:17:5: ...}); the records around it were delivered
     * @param stopped true when the sink asked to stop before the end of the file
     */
    public record Result(Shape shape, long records, String problem, boolean stopped) {
    }

    private final Set<String> envelopeFields;
    private final int pageSize;
    private final JsonFactory json = JsonFactory.builder().build();

    /**
     * @param extraEnvelopeFields envelope array names besides {@link #ENVELOPE_FIELDS}
     * @param pageSize            the most records per page
     */
    public DropFolderReader(Collection<String> extraEnvelopeFields, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1: " + pageSize);
        }
        Set<String> fields = new LinkedHashSet<>(ENVELOPE_FIELDS);
        fields.addAll(extraEnvelopeFields);
        this.envelopeFields = Set.copyOf(fields);
        this.pageSize = pageSize;
    }

    public DropFolderReader() {
        this(List.of(), DEFAULT_PAGE_SIZE);
    }

    /**
     * Reads one file and hands its records to {@code sink} in pages.
     *
     * @param origin how the file is named in origins and problems, e.g. {@code conf/samples/x.json}
     * @throws IOException when the file cannot be read (not when its content is bad: see {@link Result#problem})
     */
    public Result read(Path file, String origin, PageSink sink) throws IOException {
        Shape shape = detect(file);
        Pages pages = new Pages(origin, sink);
        String problem = switch (shape) {
            case EMPTY -> null;
            case NDJSON -> readLines(file, origin, pages);
            default -> readStream(file, origin, pages);
        };
        pages.flush();
        return new Result(shape, pages.delivered, problem, pages.stopped);
    }

    /** Looks at the first top-level value only. */
    Shape detect(Path file) throws IOException {
        try (InputStream in = open(file); JsonParser p = json.createParser(in)) {
            JsonToken t;
            try {
                t = p.nextToken();
            } catch (JsonProcessingException e) {
                return Shape.JSON_STREAM;
            }
            if (t == null) {
                return Shape.EMPTY;
            }
            if (t == JsonToken.START_ARRAY) {
                return Shape.ARRAY;
            }
            if (t != JsonToken.START_OBJECT) {
                return Shape.JSON_STREAM;
            }
            int startLine = p.currentTokenLocation().getLineNr();
            try {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    if (p.nextToken() == JsonToken.START_ARRAY && envelopeFields.contains(name)) {
                        return Shape.ENVELOPE;
                    }
                    p.skipChildren();
                }
                // A whole object on its first line, without an envelope: one record per line.
                return p.currentTokenLocation().getLineNr() == startLine ? Shape.NDJSON : Shape.JSON_STREAM;
            } catch (JsonProcessingException e) {
                // A bad first line of NDJSON must not cost the lines after it.
                return e.getLocation() != null && e.getLocation().getLineNr() == startLine ? Shape.NDJSON : Shape.JSON_STREAM;
            }
        }
    }

    private String readStream(Path file, String origin, Pages pages) throws IOException {
        try (InputStream in = open(file); JsonParser p = json.createParser(in)) {
            try {
                JsonToken t;
                while (!pages.stopped && (t = p.nextToken()) != null) {
                    if (t == JsonToken.START_ARRAY) {
                        elements(p, pages);
                    } else if (t == JsonToken.START_OBJECT) {
                        object(p, pages);
                    } else {
                        return origin + ":" + position(p.currentTokenLocation())
                                + ": expected a JSON object or array, found " + t.asString();
                    }
                }
                return null;
            } catch (JsonProcessingException e) {
                return origin + ":" + position(e.getLocation()) + ": " + shortMessage(e);
            }
        }
    }

    /** At START_ARRAY: each element is a record. */
    private void elements(JsonParser p, Pages pages) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && !pages.stopped) {
            if (t == null) {
                throw new IOException("unexpected end of input in an array");
            }
            int line = p.currentTokenLocation().getLineNr();
            pages.add(copyCurrent(p), line);
        }
    }

    /**
     * At START_OBJECT: an envelope's arrays give the records; an object without an envelope array is
     * itself a record. Other fields are kept only until that is known, so memory stays bounded by the
     * envelope's metadata (a page token) or by the record.
     */
    private void object(JsonParser p, Pages pages) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        StringWriter fields = new StringWriter();
        boolean envelope = false;
        try (JsonGenerator g = json.createGenerator(fields)) {
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME && !pages.stopped) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_ARRAY && envelopeFields.contains(name)) {
                    envelope = true;
                    elements(p, pages);
                } else if (envelope) {
                    p.skipChildren();
                } else {
                    g.writeFieldName(name);
                    g.copyCurrentStructureExact(p);
                }
            }
            g.writeEndObject();
        }
        if (!envelope && !pages.stopped) {
            pages.add(fields.toString(), line);
        }
    }

    private String copyCurrent(JsonParser p) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.copyCurrentStructureExact(p);
        }
        return out.toString();
    }

    private String readLines(Path file, String origin, Pages pages) throws IOException {
        List<String> bad = new ArrayList<>();
        int badCount = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            String line;
            int lineNr = 0;
            while (!pages.stopped && (line = r.readLine()) != null) {
                lineNr++;
                String text = line.strip();
                if (text.isEmpty()) {
                    continue;
                }
                String error = checkOneValue(text);
                if (error == null) {
                    pages.add(text, lineNr);
                } else {
                    badCount++;
                    if (bad.size() < MAX_REPORTED_LINES) {
                        bad.add(origin + ":" + lineNr + ":" + error);
                    }
                }
            }
        }
        if (badCount == 0) {
            return null;
        }
        String more = badCount > bad.size() ? "; and " + (badCount - bad.size()) + " more bad lines" : "";
        return String.join("; ", bad) + more;
    }

    /** Null when the text is exactly one JSON object, else {@code column: message}. */
    private String checkOneValue(String text) throws IOException {
        try (JsonParser p = json.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "1: expected a JSON object";
            }
            p.skipChildren();
            JsonToken after = p.nextToken();
            if (after != null) {
                return p.currentTokenLocation().getColumnNr() + ": unexpected content after the JSON object";
            }
            return null;
        } catch (JsonProcessingException e) {
            return (e.getLocation() == null ? "?" : String.valueOf(e.getLocation().getColumnNr())) + ": " + shortMessage(e);
        }
    }

    private static String position(JsonLocation at) {
        return at == null ? "?" : at.getLineNr() + ":" + at.getColumnNr();
    }

    private static String shortMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        int nl = m.indexOf('\n');
        if (nl > 0) {
            m = m.substring(0, nl);
        }
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
    }

    /** The file's bytes, gunzipped when they start with the gzip magic number. */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 65536), 65536);
        }
        return in;
    }

    /** Collects records into pages of at most {@code pageSize}. */
    private final class Pages {
        private final String origin;
        private final PageSink sink;
        private List<RawRecord> page = new ArrayList<>();
        private long delivered;
        private boolean stopped;

        Pages(String origin, PageSink sink) {
            this.origin = origin;
            this.sink = sink;
        }

        void add(String body, int line) {
            page.add(new RawRecord(body, origin + ":" + line));
            if (page.size() >= pageSize) {
                flush();
            }
        }

        void flush() {
            if (page.isEmpty() || stopped) {
                return;
            }
            List<RawRecord> full = page;
            page = new ArrayList<>();
            delivered += full.size();
            if (!sink.page(full)) {
                stopped = true;
            }
        }
    }
}

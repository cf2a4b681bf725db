package dev.cadet.provider.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.collector.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropFolderSourceTest {

    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    @TempDir
    Path folder;

    /** The host's side of a fetch: pages, warnings, and item marks committed when the window is. */
    private static final class Host implements FetchContext {
        final Map<String, String> committed = new HashMap<>();
        final Map<String, String> pending = new HashMap<>();
        final List<RawRecord> records = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        int stopAfterPages = Integer.MAX_VALUE;
        int pages;

        @Override
        public void page(List<RawRecord> page) {
            assertTrue(page.size() <= 500);
            records.addAll(page);
            pages++;
        }

        @Override
        public <T> T call(String what, Request<T> request) throws CollectorException {
            return request.run();
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }

        @Override
        public boolean itemMarked(String itemKey) {
            return committed.containsKey(itemKey);
        }

        @Override
        public void markItem(String itemKey, String state) {
            pending.put(itemKey, state);
        }

        @Override
        public boolean stopping() {
            return pages >= stopAfterPages;
        }

        void commit() {
            committed.putAll(pending);
            pending.clear();
        }

        List<String> origins() {
            return records.stream().map(RawRecord::origin).toList();
        }
    }

    private ProviderConfig config(Map<String, Object> values) {
        return new ProviderConfig("providers.file[0]", values, (kind, name) -> {
            throw new IllegalArgumentException("no secrets here");
        });
    }

    private Provider create(Map<String, Object> values) {
        ProviderConfig c = config(values);
        Provider p = new FileProviderFactory().create(c);
        assertEquals(List.of(), c.problems());
        return p;
    }

    private Path drop(String name, String content, Instant modified) throws IOException {
        Path f = folder.resolve(name);
        Files.writeString(f, content);
        Files.setLastModifiedTime(f, FileTime.from(modified));
        return f;
    }

    private static void fetch(Provider p, Instant end, Host host) throws CollectorException {
        StreamSpec s = p.streams().get(0);
        p.source().fetch(s, new Window(end.minus(Duration.ofDays(1)), end), host);
    }

    @Test
    void theFactoryIsFoundByServiceLoaderAndDeclaresItsStream() {
        ProviderFactory f = ServiceLoader.load(ProviderFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(x -> x.id().equals("file")).findFirst().orElseThrow();
        assertFalse(f.normalizer().recognizes(new RawRecord("{\"Records\":[]}", "x")));

        Provider p = f.create(config(Map.of("folder", folder.toString())));
        assertTrue(p.routesByShape());
        StreamSpec s = p.streams().get(0);
        Path abs = folder.toAbsolutePath().normalize();
        assertEquals(new StreamSpec("file/" + abs, "file", TimeAxis.AVAILABILITY_TIME, Duration.ofSeconds(2), Duration.ZERO,
                Duration.ofDays(3651), Duration.ofDays(3650), Duration.ofDays(3650), QuotaScope.unlimited("file/" + abs),
                Map.of("folder", abs.toString())), s);
    }

    @Test
    void configProblemsNameTheKey() {
        ProviderConfig missing = config(Map.of("pattern", "*.json", "folders", "x"));
        assertNull(new FileProviderFactory().create(missing));
        assertEquals(List.of("providers.file[0].folder: missing", "providers.file[0].folders: unknown key"), missing.problems());

        ProviderConfig absent = config(Map.of("folder", folder.resolve("nope").toString()));
        assertNull(new FileProviderFactory().create(absent));
        assertEquals(List.of("providers.file[0].folder: does not exist: " + folder.resolve("nope").toAbsolutePath()), absent.problems());

        ProviderConfig badGlob = config(Map.of("folder", folder.toString(), "pattern", "*.{json"));
        assertNull(new FileProviderFactory().create(badGlob));
        assertEquals(List.of("providers.file[0].pattern: not a glob pattern: \"*.{json\""), badGlob.problems());
    }

    @Test
    void eachFileIsReadOnceInNameOrderUntilItChanges() throws Exception {
        Provider p = create(Map.of("folder", folder.toString(), "pattern", "*.json*"));
        drop("b.json", "[{\"Id\":\"b1\"},{\"Id\":\"b2\"}]", T0);
        drop("a.json", "{\"Records\":[{\"eventID\":\"a1\"}]}", T0);
        drop("notes.txt", "{\"id\":\"ignored\"}", T0);
        drop(".c.json.partial", "{\"id\":\"hidden\"}", T0);

        Host host = new Host();
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(List.of(folder.resolve("a.json") + ":1", folder.resolve("b.json") + ":1", folder.resolve("b.json") + ":1"),
                host.origins());
        assertEquals(2, host.pending.size());
        assertTrue(host.pending.values().stream().allMatch("done"::equals));
        assertEquals(List.of(), host.warnings);

        // Not committed (a crash): read again.
        host.records.clear();
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(3, host.records.size());

        host.commit();
        host.records.clear();
        fetch(p, T0.plusSeconds(120), host);
        assertEquals(List.of(), host.records);

        // A changed file is a new item.
        drop("b.json", "[{\"Id\":\"b1\"},{\"Id\":\"b2\"},{\"Id\":\"b3\"}]", T0.plusSeconds(100));
        fetch(p, T0.plusSeconds(120), host);
        assertEquals(3, host.records.size());
        assertTrue(host.records.get(2).body().contains("b3"));
    }

    @Test
    void aFileListIsReadInTheGivenOrderOnce() throws Exception {
        Path b = drop("b.json", "[{\"Id\":\"b1\"}]", T0);
        Path a = drop("a.ndjson", "{\"Id\":\"a1\"}\n{\"Id\":\"a2\"}\n", T0);
        Provider p = create(Map.of("files", List.of(b.toString(), a.toString())));
        assertTrue(p.streams().get(0).key().startsWith("file/list/"));

        Host host = new Host();
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(List.of(b + ":1", a + ":1", a + ":2"), host.origins());
        host.commit();
        host.records.clear();
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(List.of(), host.records);
    }

    @Test
    void aFileListNamesEachMissingFileAndExcludesAFolder() {
        ProviderConfig missing = config(Map.of("files", List.of(folder.resolve("gone.json").toString())));
        assertNull(new FileProviderFactory().create(missing));
        assertEquals(List.of("providers.file[0].files[0]: not a readable file: " + folder.resolve("gone.json").toAbsolutePath()),
                missing.problems());

        ProviderConfig both = config(Map.of("files", List.of("x"), "folder", folder.toString()));
        assertNull(new FileProviderFactory().create(both));
        assertEquals(List.of("providers.file[0].files: give either folder or files, not both"), both.problems());
    }

    @Test
    void aFileModifiedAfterTheWindowEndIsLeftForALaterWindow() throws Exception {
        Provider p = create(Map.of("folder", folder.toString()));
        drop("old.json", "{\"id\":\"1\"}\n", T0);
        drop("new.json", "{\"id\":\"2\"}\n", T0.plusSeconds(10));

        Host host = new Host();
        fetch(p, T0.plusSeconds(5), host);
        assertEquals(List.of(folder.resolve("old.json") + ":1"), host.origins());
        host.commit();

        host.records.clear();
        fetch(p, T0.plusSeconds(10), host);
        assertEquals(List.of(folder.resolve("new.json") + ":1"), host.origins());
        assertEquals(1, host.committed.size());
        assertEquals(1, host.pending.size());
        assertFalse(host.committed.keySet().containsAll(host.pending.keySet()));
    }

    @Test
    void aBrokenFileKeepsWhatParsedIsReportedAndIsNotRetriedUnlessItChanges() throws Exception {
        Provider p = create(Map.of("folder", folder.toString()));
        drop("events.ndjson", "{\"id\":\"1\"}\n{\"id\":\"2\"\n{\"id\":\"3\"}\n", T0);

        Host host = new Host();
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(List.of(folder.resolve("events.ndjson") + ":1", folder.resolve("events.ndjson") + ":3"), host.origins());
        assertEquals(1, host.warnings.size());
        String w = host.warnings.get(0);
        assertTrue(w.startsWith(folder.resolve("events.ndjson") + ":2:"), w);
        assertTrue(w.contains("2 records of events.ndjson were read"), w);
        assertEquals(List.of("error"), List.copyOf(host.pending.values()));

        host.commit();
        host.records.clear();
        fetch(p, T0.plusSeconds(120), host);
        assertEquals(List.of(), host.records);
        assertEquals(1, host.warnings.size());
    }

    @Test
    void controlCharactersInFileNamesDoNotReachOriginsAsIs() throws Exception {
        Provider p = create(Map.of("folder", folder.toString()));
        drop("evil\nFAKE LOG LINE.json", "{\"id\":\"1\"}\n", T0);
        Host host = new Host();
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(List.of(folder + "/evil\\x0aFAKE LOG LINE.json:1"), host.origins());
    }

    @Test
    void stoppingLeavesTheFileUnmarkedSoItIsReadAgain() throws Exception {
        Provider p = create(Map.of("folder", folder.toString()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            sb.append("{\"id\":\"").append(i).append("\"}\n");
        }
        drop("many.ndjson", sb.toString(), T0);
        drop("z.ndjson", "{\"id\":\"z\"}\n", T0);
        Host host = new Host();
        host.stopAfterPages = 1;
        fetch(p, T0.plusSeconds(60), host);
        assertEquals(500, host.records.size());
        assertEquals(Map.of(), host.pending);
    }

    @Test
    void aFolderThatDisappearsIsFatal() throws Exception {
        Path sub = Files.createDirectory(folder.resolve("sub"));
        Provider p = create(Map.of("folder", sub.toString()));
        Files.delete(sub);
        CollectorException e = assertThrows(CollectorException.class, () -> fetch(p, T0, new Host()));
        assertEquals(CollectorException.Kind.FATAL, e.kind());
        assertTrue(e.getMessage().contains(sub.toAbsolutePath().toString()), e.getMessage());
    }
}

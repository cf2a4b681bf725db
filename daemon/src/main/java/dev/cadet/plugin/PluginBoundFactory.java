package dev.cadet.plugin;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Event;
import dev.cadet.collector.Window;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * A plugin's factory as the host sees it: every call into plugin code (the factory, the providers
 * it creates, their sources and the normalizer) runs with the thread context class loader set to
 * the plugin's loader, as libraries that look up classes through the TCCL (SDKs, Jackson modules)
 * expect. The host never holds an unwrapped plugin object.
 */
final class PluginBoundFactory implements ProviderFactory {

    private final ProviderFactory plugin;
    private final ClassLoader loader;
    private final Normalizer normalizer;

    PluginBoundFactory(ProviderFactory plugin, ClassLoader loader) {
        this.plugin = plugin;
        this.loader = loader;
        Normalizer n = call(plugin::normalizer);
        this.normalizer = n == null ? null : new BoundNormalizer(n);
    }

    @Override
    public String id() {
        return call(plugin::id);
    }

    @Override
    public String version() {
        return call(plugin::version);
    }

    @Override
    public int spiMajorVersion() {
        return call(plugin::spiMajorVersion);
    }

    @Override
    public Normalizer normalizer() {
        return normalizer;
    }

    @Override
    public Provider create(ProviderConfig config) {
        Provider p = call(() -> plugin.create(config));
        return p == null ? null : new BoundProvider(p);
    }

    @Override
    public String toString() {
        return "plugin factory " + plugin.getClass().getName() + " in " + loader;
    }

    private <T> T call(Supplier<T> body) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return body.get();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private interface Fetch {
        void run() throws CollectorException;
    }

    private void fetch(Fetch body) throws CollectorException {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            body.run();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private final class BoundProvider implements Provider {
        private final Provider plugin;
        private final Source source;

        BoundProvider(Provider plugin) {
            this.plugin = plugin;
            Source s = call(plugin::source);
            this.source = s == null ? null : new BoundSource(s);
        }

        @Override
        public List<StreamSpec> streams() {
            return call(plugin::streams);
        }

        @Override
        public Source source() {
            return source;
        }

        @Override
        public boolean routesByShape() {
            return call(plugin::routesByShape);
        }

        @Override
        public void close() {
            call(() -> {
                plugin.close();
                return null;
            });
        }
    }

    private final class BoundSource implements Source {
        private final Source plugin;

        BoundSource(Source plugin) {
            this.plugin = plugin;
        }

        @Override
        public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
            PluginBoundFactory.this.fetch(() -> plugin.fetch(stream, window, context));
        }

        @Override
        public Instant serverNow(StreamSpec stream) {
            return call(() -> plugin.serverNow(stream));
        }
    }

    private final class BoundNormalizer implements Normalizer {
        private final Normalizer plugin;

        BoundNormalizer(Normalizer plugin) {
            this.plugin = plugin;
        }

        @Override
        public boolean recognizes(RawRecord record) {
            return call(() -> plugin.recognizes(record));
        }

        @Override
        public List<Event> normalize(RawRecord record) throws MalformedRecordException {
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            try {
                return plugin.normalize(record);
            } finally {
                t.setContextClassLoader(before);
            }
        }
    }
}

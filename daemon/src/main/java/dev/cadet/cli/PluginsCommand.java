package dev.cadet.cli;

import dev.cadet.collector.SpiVersion;
import dev.cadet.plugin.PluginRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cadet plugins}: what was found in the plugins folder. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "Lists the provider plugins found, their versions and SPI versions, and broken plugin folders with the reason.")
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        try (PluginRegistry plugins = PluginRegistry.load(config.load().pluginsDir())) {
            System.out.printf("plugins folder %s (host SPI %s)%n", plugins.pluginsDir(), SpiVersion.text());
            System.out.printf("%-12s %-20s %-5s %s%n", "ID", "VERSION", "SPI", "FOLDER");
            plugins.loaded().forEach(p -> System.out.printf("%-12s %-20s %-5d %s%n", p.id(), p.version(), p.spiVersion(), p.dir()));
            plugins.broken().forEach(b -> System.out.printf("broken: %s (%s): %s%n", b.name(), b.dir(), b.reason()));
            return ExitCodes.OK;
        }
    }
}

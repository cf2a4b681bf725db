package dev.cadet.cli;

import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that reads the config; absent = embedded defaults. */
final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the config file (default: the embedded defaults: watch conf/samples, CEF on stdout)")
    Path file;

    CadetConfig load() {
        ConfigLoader loader = ConfigLoader.fromSystem();
        return file == null ? loader.loadDefault() : loader.load(file);
    }
}

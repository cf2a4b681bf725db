package dev.cadet.cli;

import dev.cadet.detect.RuleSet;
import dev.cadet.detect.fixture.FixtureSuite;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cadet rules check DIR} and {@code cadet rules test DIR}. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Works with rule folders.",
        subcommands = {RulesCommand.Check.class, RulesCommand.Test.class})
final class RulesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a sub-command is needed: rules check DIR, or rules test DIR");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Loads every rule in DIR; prints problems (file:line:column) and warnings. Exit 2 if any problem.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "a folder of .eql and .toml rule files")
        Path dir;

        @Override
        public Integer call() {
            List<String> lines = RuleSet.check(dir);
            lines.forEach(System.out::println);
            long problems = lines.stream().filter(l -> !l.startsWith("warning:")).count();
            if (problems > 0) {
                return ExitCodes.INVALID;
            }
            System.out.println(dir + ": OK");
            return ExitCodes.OK;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Runs every rule of DIR against its fixture cases in DIR/tests/*.yaml; prints one line per case.",
                "Exit 2 if a case fails, a fixture or rule file is broken, or a rule lacks a positive or a negative case."})
    static final class Test implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "a folder of .eql and .toml rule files, with fixtures in DIR/tests")
        Path dir;

        @Override
        public Integer call() {
            FixtureSuite.Report report = FixtureSuite.run(dir);
            report.lines().forEach(System.out::println);
            return report.passed() ? ExitCodes.OK : ExitCodes.INVALID;
        }
    }
}

package org.neurite.cli;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code neurite} command: train, evaluate and compare the seeds' CNN and RNN families on
 * real data, inspect model files and the machine. User mistakes print one line and exit 2;
 * {@code --help} works on every command.
 */
@Command(name = "neurite", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "CNNs and RNNs on the CPU: train, evaluate and compare the seed models on MNIST and SpamAssassin.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, SummaryCommand.class, InfoCommand.class,
                BenchCommand.class, CompareCommand.class, FetchCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command line, printing to {@code out} and {@code err}; returns the exit code (0 ok, 2 a user mistake, 1 a failure). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        System.setProperty("java.awt.headless", "true");
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out).setErr(err);
        cli.setParameterExceptionHandler((e, arguments) -> {
            err.println("neurite: " + e.getMessage() + " (see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof UsageException || e instanceof IOException || e instanceof IllegalArgumentException) {
                err.println("neurite: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: train, evaluate, predict, summary, info, bench, compare or fetch");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"neurite " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }
}

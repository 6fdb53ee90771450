package dev.fanout.bench.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar bench/target/fanout-bench.jar load …} */
@Command(name = "fanout-bench", mixinStandardHelpOptions = true, subcommands = LoadCommand.class,
    description = "Fanout's load generator.")
public final class BenchMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

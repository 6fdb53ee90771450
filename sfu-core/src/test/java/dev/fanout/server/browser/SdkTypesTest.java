package dev.fanout.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's TypeScript declarations (web/fanout.d.ts) under {@code tsc}: a program that uses the
 * whole API type-checks (its {@code @ts-expect-error} lines must each be an error), and a program
 * of mistakes fails with an error on exactly the lines it marks; and the declarations name the
 * same exports and public members as the code (api-surface.mjs imports the SDK in node). Needs
 * node and npm (see {@link Npm}); no browser.
 */
class SdkTypesTest {
  private static final Path PROGRAMS = Npm.repository().resolve("sfu-core/src/test/typescript");
  /** {@code file(line,column): error TSnnnn: message}, as tsc prints without --pretty. */
  private static final Pattern ERROR = Pattern.compile("(?m)^(.+?)\\((\\d+),\\d+\\): error (TS\\d+)");

  @BeforeEach
  void needNode() {
    Npm.assumeInstalled();
  }

  @Test
  void aProgramUsingTheWholeApiTypeChecks() {
    Npm.Result r = Npm.tsc(PROGRAMS, "-p", ".", "--pretty", "false");
    assertThat(r.output()).as("tsc output").isBlank();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void theDeclarationsNameExactlyThePublicMembersOfTheCode() {
    Path typescriptPackage = Npm.typescript().getParent().getParent();
    Npm.Result r = Npm.run(PROGRAMS, "node", "api-surface.mjs", typescriptPackage.toString(),
        Npm.sdkPackage().toString());
    assertThat(r.exitCode()).as("api-surface.mjs:\n%s", r.output()).isZero();
  }

  @Test
  void mistakesAreRejectedOnExactlyTheMarkedLines() throws IOException {
    Npm.Result r = Npm.tsc(PROGRAMS.resolve("misuse"), "-p", ".", "--pretty", "false");
    assertThat(r.exitCode()).as("tsc must fail:\n%s", r.output()).isNotZero();

    List<String> source = Files.readAllLines(PROGRAMS.resolve("misuse/misuse.ts"));
    Set<Integer> marked = new TreeSet<>();
    for (int i = 0; i < source.size(); i++) {
      String line = source.get(i).strip();
      if (!line.startsWith("//") && line.contains("// error:")) {
        marked.add(i + 1);
      }
    }
    assertThat(marked).hasSizeGreaterThanOrEqualTo(5);

    Set<Integer> reported = new TreeSet<>();
    Matcher m = ERROR.matcher(r.output());
    while (m.find()) {
      assertThat(m.group(1)).as("an error outside the program of mistakes:\n%s", r.output()).isEqualTo("misuse.ts");
      reported.add(Integer.parseInt(m.group(2)));
    }
    assertThat(reported).as("lines with errors:\n%s", r.output()).isEqualTo(marked);
  }
}

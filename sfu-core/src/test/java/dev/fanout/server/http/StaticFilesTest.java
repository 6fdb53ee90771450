package dev.fanout.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.server.BuildInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StaticFilesTest {
  /** A static import or re-export at the start of a line, or a JSDoc type import. */
  private static final Pattern IMPORT = Pattern.compile(
      "(?m)^(?:import|export) (?:[\\w*]+|\\{[^}]*\\})(?:, \\{[^}]*\\})? from '([^']+)';|import\\('([^']+)'\\)");

  private final StaticFiles files = new StaticFiles();

  private static List<String> packageFiles() throws Exception {
    StaticFiles.Asset pkg = new StaticFiles().find("/sdk/package.json");
    assertThat(pkg).as("/sdk/package.json").isNotNull();
    JsonNode json = new ObjectMapper().readTree(pkg.bytes());
    List<String> names = new ArrayList<>();
    json.path("files").forEach(f -> names.add(f.asText()));
    return names;
  }

  @Test
  void everyFileOfTheSdkPackageIsServedUnderSdk() throws Exception {
    List<String> names = packageFiles();
    assertThat(names).contains("fanout.js", "fanout.d.ts", "client.js", "errors.js", "local-tracks.js",
        "remote-tracks.js", "signaling.js");
    for (String name : names) {
      StaticFiles.Asset asset = files.find("/sdk/" + name);
      assertThat(asset).as("/sdk/%s", name).isNotNull();
      assertThat(asset.contentType()).as("/sdk/%s", name)
          .isEqualTo(name.endsWith(".d.ts") ? "text/plain; charset=utf-8" : "text/javascript; charset=utf-8");
    }
    assertThat(files.find("/sdk/package.json").contentType()).isEqualTo("application/json");
  }

  @Test
  void theModulesImportOnlyFilesThePackageShipsAndEveryModuleIsImported() throws Exception {
    List<String> names = packageFiles();
    Set<String> imported = new TreeSet<>();
    for (String name : names) {
      if (!name.endsWith(".js")) {
        continue;
      }
      String text = new String(files.find("/sdk/" + name).bytes(), StandardCharsets.UTF_8);
      Matcher m = IMPORT.matcher(text);
      while (m.find()) {
        String target = m.group(1) != null ? m.group(1) : m.group(2);
        assertThat(target).as("an import in %s", name).startsWith("./");
        assertThat(names).as("%s imports %s", name, target).contains(target.substring(2));
        imported.add(target.substring(2));
      }
    }
    // Every module but the entry point is reached from it; a module left out of package.json
    // would be missing from both /sdk/ and the npm package.
    assertThat(imported).containsAll(names.stream().filter(n -> n.endsWith(".js") && !n.equals("fanout.js")).toList());
  }

  @Test
  void thePackageTheSdkAndTheServerHaveOneVersion() throws Exception {
    String manifest = new ObjectMapper().readTree(files.find("/sdk/package.json").bytes()).path("version").asText();
    String entry = new String(files.find("/sdk/fanout.js").bytes(), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^const VERSION = '([^']+)';").matcher(entry);
    assertThat(m.find()).as("fanout.js declares VERSION").isTrue();
    assertThat(manifest).isEqualTo(m.group(1));
    assertThat(BuildInfo.version().replaceFirst("-SNAPSHOT$", "")).as("the Maven version").isEqualTo(manifest);
  }

  @Test
  void underSdkOnlyTheSdkIsServed() {
    assertThat(files.find("/sdk/index.html")).isNull();
    assertThat(files.find("/sdk/demo.js")).isNull();
    assertThat(files.find("/sdk/demo.css")).isNull();
    assertThat(files.find("/sdk/")).isNull();
    assertThat(files.find("/sdk/nope.js")).isNull();
    // The demo page stays at the top.
    assertThat(files.find("/demo.js")).isNotNull();
    assertThat(files.find("/")).isNotNull();
  }

  @Test
  void namesCannotLeaveTheWebFolder() {
    assertThat(files.find("/sdk/../fanout-version.properties")).isNull();
    assertThat(files.find("/../fanout-version.properties")).isNull();
    assertThat(files.find("/sdk/./fanout.js")).isNull();
    assertThat(files.find("/sdk//fanout.js")).isNull();
    assertThat(files.find("/sdk/..%2ffanout-version.properties")).isNull();
    // Top-level names that would reach index.html if not refused.
    assertThat(files.find("/./index.html")).isNull();
    assertThat(files.find("//index.html")).isNull();
    assertThat(files.find("/index.html")).isNotNull();
  }
}

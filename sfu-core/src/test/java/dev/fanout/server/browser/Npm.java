package dev.fanout.server.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Node.js and npm for the tests of the SDK's npm package and TypeScript declarations. Like the
 * browser tests, they are skipped when node or npm is missing, and fail instead when
 * {@code FANOUT_BROWSER_TESTS=required}.
 *
 * <p>TypeScript comes from the npm registry once, at a pinned version, into
 * {@code ~/.cache/fanout/typescript-VERSION}, and is reused by every later run (and by
 * {@code mvn clean}).
 */
final class Npm {
  static final String TYPESCRIPT_VERSION = "5.9.3";
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

  /** What a command printed (stdout and stderr together) and its exit code. */
  record Result(int exitCode, String output) {
    Result ok() {
      if (exitCode != 0) {
        throw new AssertionError("exit code " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  /** The tools that were not found, once looked for. */
  private static List<String> missing;

  private Npm() {}

  /** The repository's top folder (tests run in the sfu-core folder). */
  static Path repository() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("web")) ? here : here.getParent();
  }

  /** The SDK package: the repository's web/ folder. */
  static Path sdkPackage() {
    return repository().resolve("web");
  }

  /** This module's scratch folder under target/, emptied first. */
  static Path scratch(String name) {
    Path dir = repository().resolve("sfu-core").resolve("target").resolve(name);
    Chromium.deleteTree(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Skips the calling test when node or npm is missing, or fails it when required. Call it from
   * {@code @BeforeEach}: each test is then reported as skipped with the reason (a class aborted
   * in {@code @BeforeAll} is reported as no test at all).
   */
  static synchronized void assumeInstalled() {
    if (missing == null) {
      missing = new ArrayList<>();
      for (String tool : List.of("node", "npm")) {
        if (!works(tool, "--version")) {
          missing.add(tool);
        }
      }
    }
    if (!missing.isEmpty()) {
      Chromium.skipOrFail("the SDK package tests need Node.js and npm (missing: " + String.join(", ", missing)
          + "); install them with: apt-get install nodejs npm");
    }
  }

  /**
   * TypeScript's compiler ({@code tsc}'s script, run with node), installed from the npm
   * registry on first use. Skips (or, when required, fails) when it cannot be installed.
   */
  static synchronized Path typescript() {
    Path home = Path.of(System.getProperty("user.home"), ".cache", "fanout", "typescript-" + TYPESCRIPT_VERSION);
    Path tsc = home.resolve("node_modules/typescript/bin/tsc");
    if (Files.isRegularFile(tsc)) {
      return tsc;
    }
    try {
      Files.createDirectories(home.getParent());
      // Installed beside the cache folder, then moved into place: a run that stops halfway
      // leaves no half-installed compiler behind.
      Path staging = Files.createTempDirectory(home.getParent(), "typescript-install-");
      try {
        Result r = run(staging, "npm", "install", "--prefix", staging.toString(), "--no-audit", "--no-fund",
            "--prefer-offline", "typescript@" + TYPESCRIPT_VERSION);
        if (r.exitCode() != 0) {
          Chromium.skipOrFail("cannot install typescript@" + TYPESCRIPT_VERSION + " from the npm registry:\n" + r.output());
        }
        if (!Files.isRegularFile(tsc)) {
          Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        Chromium.deleteTree(staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tsc;
  }

  /** Runs {@code tsc} with node in {@code dir}. */
  static Result tsc(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("node", typescript().toString()));
    command.addAll(List.of(args));
    return run(dir, command.toArray(String[]::new));
  }

  /** Runs a command in {@code dir} and waits for it (at most five minutes). */
  static Result run(Path dir, String... command) {
    Path log = null;
    try {
      log = Files.createTempFile("fanout-npm-", ".log");
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      if (log != null) {
        log.toFile().delete();
      }
    }
  }

  /** Copies a folder tree. */
  static void copyTree(Path from, Path to) {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean works(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        in.readAllBytes();
      }
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

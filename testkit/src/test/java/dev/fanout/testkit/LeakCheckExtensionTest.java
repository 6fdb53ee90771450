package dev.fanout.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class LeakCheckExtensionTest {

  private static Events containerEvents(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .selectors(selectClass(fixture))
        .execute()
        .containerEvents();
  }

  @Test
  void buildRunsWithParanoidLeakDetection() {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
  }

  @Test
  void aTestClassThatLeaksABufferFails() {
    Events events = containerEvents(LeakingFixture.class);
    assertThat(events.failed().count()).isEqualTo(1);
    Throwable cause = events.failed().stream().findFirst().orElseThrow()
        .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
        .getThrowable().orElseThrow();
    assertThat(cause).isInstanceOf(AssertionError.class).hasMessageContaining("LEAK:");
  }

  @Test
  void aTestClassThatReleasesEverythingPasses() {
    Events events = containerEvents(CleanFixture.class);
    assertThat(events.failed().count()).isZero();
  }
}

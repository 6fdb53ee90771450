package dev.fanout.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinkConditionsTest {

  @Test
  void gilbertElliottLosesTheStationaryShareInRunsOfMeanLengthOneOverR() {
    LinkConditions.BurstLoss model = LinkConditions.BurstLoss.gilbert(0.01, 0.2);
    GilbertElliott channel = new GilbertElliott();
    SplittableRandom random = new SplittableRandom(1);
    int n = 400_000;
    int lost = 0;
    int runs = 0;
    boolean previous = false;
    for (int i = 0; i < n; i++) {
      boolean l = channel.lose(model, random);
      if (l) {
        lost++;
        if (!previous) {
          runs++;
        }
      }
      previous = l;
    }
    assertThat(model.meanLoss()).isCloseTo(0.01 / 0.21, org.assertj.core.data.Offset.offset(1e-12));
    assertThat((double) lost / n).as("loss").isCloseTo(model.meanLoss(), org.assertj.core.data.Offset.offset(0.004));
    assertThat((double) lost / runs).as("mean run of losses").isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.4));
  }

  @Test
  void gilbertElliottWithLossInBothStatesMixesThemByTheStationaryShare() {
    LinkConditions.BurstLoss model = new LinkConditions.BurstLoss(0.05, 0.05, 0.5, 0.1);
    GilbertElliott channel = new GilbertElliott();
    SplittableRandom random = new SplittableRandom(2);
    int n = 400_000;
    int lost = 0;
    for (int i = 0; i < n; i++) {
      if (channel.lose(model, random)) {
        lost++;
      }
    }
    assertThat(model.meanLoss()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
    assertThat((double) lost / n).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void badConditionsAreRejectedWithTheirName() {
    LinkConditions c = LinkConditions.PERFECT;
    assertThatThrownBy(() -> c.withLoss(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss");
    assertThatThrownBy(() -> c.withLoss(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.withRate(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate");
    assertThatThrownBy(() -> c.withQueueLimit(0, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue");
    assertThatThrownBy(() -> c.withDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay");
    assertThatThrownBy(() -> c.withJitter(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> c.withBurst(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst");
    assertThatThrownBy(() -> LinkConditions.BurstLoss.gilbert(0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never change state");
    assertThatThrownBy(() -> LinkConditions.BurstLoss.gilbert(0.1, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("r (bad to good)");
  }

  @Test
  void settersChangeOneConditionAndKeepTheRest() {
    LinkDirection d = new LinkDirection("up", 1, () -> {});
    d.rate(1_000_000).delay(Duration.ofMillis(20)).loss(0.1).queueLimit(10, 20_000).burstLoss(0.1, 0.5);
    d.jitter(Duration.ofMillis(5)).reorder(true).burst(3000);
    LinkConditions c = d.conditions();
    assertThat(c.rateBitsPerSecond()).isEqualTo(1_000_000);
    assertThat(c.delay()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.jitter()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.reorder()).isTrue();
    assertThat(c.loss()).isEqualTo(0.1);
    assertThat(c.queuePackets()).isEqualTo(10);
    assertThat(c.queueBytes()).isEqualTo(20_000);
    assertThat(c.burstBytes()).isEqualTo(3000);
    assertThat(c.burstLoss()).isEqualTo(LinkConditions.BurstLoss.gilbert(0.1, 0.5));
    assertThat(d.reset().conditions()).isEqualTo(LinkConditions.PERFECT);
  }
}

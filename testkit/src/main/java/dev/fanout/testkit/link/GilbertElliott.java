package dev.fanout.testkit.link;

import java.util.SplittableRandom;

/** The state of one {@link LinkConditions.BurstLoss} channel; confined to the emulator's loop. */
final class GilbertElliott {
  private boolean bad;

  /**
   * Takes the chain's step for one datagram, then draws its loss in the state it is now in; so a
   * run of bad states, and with {@code lossInBad = 1} a run of losses, has mean length {@code 1/r}.
   */
  boolean lose(LinkConditions.BurstLoss model, SplittableRandom random) {
    if (bad) {
      if (random.nextDouble() < model.r()) {
        bad = false;
      }
    } else if (random.nextDouble() < model.p()) {
      bad = true;
    }
    double loss = bad ? model.lossInBad() : model.lossInGood();
    return loss > 0 && random.nextDouble() < loss;
  }

  boolean isBad() {
    return bad;
  }
}

package dev.fanout.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * A test class that leaks one buffer on purpose. Not named like a test, so only
 * {@link LeakCheckExtensionTest} runs it.
 */
class LeakingFixture {
  @Test
  void leaksOneBuffer() {
    ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
    leaked.writeInt(42);
    // never released
  }
}

package dev.fanout.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Allocates and releases; only {@link LeakCheckExtensionTest} runs it. */
class CleanFixture {
  @Test
  void releasesItsBuffer() {
    ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(64);
    buf.writeInt(42);
    buf.release();
  }
}

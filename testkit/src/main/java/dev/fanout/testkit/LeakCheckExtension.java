package dev.fanout.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Registered for every test
 * class through JUnit's extension auto-detection.
 *
 * <p>Netty reports a leak only when a later allocation polls its reference queue after the leaked
 * buffer was collected, so the check collects garbage and allocates a few times before it looks.
 */
public final class LeakCheckExtension implements AfterAllCallback {
  private static final int ROUNDS = 5;

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (int i = 0; i < ROUNDS; i++) {
      System.gc();
      Thread.sleep(20);
      for (int j = 0; j < 8; j++) {
        ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(16);
        probe.release();
        ByteBuf heap = ByteBufAllocator.DEFAULT.heapBuffer(16);
        heap.release();
      }
    }
    List<String> leaks = LeakRecorder.drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size() + " Netty buffer leak(s) reported during " + context.getDisplayName()
              + ":\n" + String.join("\n", leaks));
    }
  }
}

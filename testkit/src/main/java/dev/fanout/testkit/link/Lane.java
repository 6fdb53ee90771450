package dev.fanout.testkit.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One emulated link in one direction: entrance loss, a FIFO queue drained by a token bucket,
 * then a delay line. Confined to the emulator's event loop.
 *
 * <p>Time is virtual: the token bucket runs as the generic cell rate algorithm (ITU-T I.371
 * virtual scheduling), which computes each datagram's departure from its arrival and the
 * previous departures rather than from when the timer happened to fire, and a datagram's
 * delivery time is that departure plus its delay. A late wake-up therefore delays a datagram
 * only by the lateness itself and never lowers the rate or lengthens later delays.
 */
final class Lane {
  /** Datagrams one lane may hold in its delay line; beyond this the entrance drops. */
  static final int MAX_IN_FLIGHT = 1 << 16;

  /** Where a datagram goes once it has crossed the link; takes ownership of its buffer. */
  interface Exit {
    void send(Held held);
  }

  /** A datagram crossing the link. */
  static final class Held {
    final ByteBuf content;
    final Flow flow;
    final int size;
    final long arrival;
    long deliverAt;
    long order;

    Held(ByteBuf content, Flow flow, long arrival) {
      this.content = content;
      this.flow = flow;
      this.size = content.readableBytes();
      this.arrival = arrival;
    }
  }

  private static final Comparator<Held> BY_DELIVERY =
      Comparator.comparingLong((Held h) -> h.deliverAt).thenComparingLong(h -> h.order);

  private final LinkDirection direction;
  private final EventLoop loop;
  private final Exit exit;
  private final GilbertElliott burst = new GilbertElliott();
  private final ArrayDeque<Held> queue = new ArrayDeque<>();
  private final PriorityQueue<Held> line = new PriorityQueue<>(BY_DELIVERY);
  private long queuedBytes;
  /** GCRA's theoretical arrival time of the next datagram (ns). */
  private long tat;
  private long lastDeparture = Long.MIN_VALUE;
  private long lastDelivery = Long.MIN_VALUE;
  private long order;
  private long nextDeparture = Long.MAX_VALUE;
  private ScheduledFuture<?> timer;
  private long timerAt = Long.MAX_VALUE;
  private boolean closed;

  Lane(LinkDirection direction, EventLoop loop, Exit exit) {
    this.direction = direction;
    this.loop = loop;
    this.exit = exit;
    this.tat = System.nanoTime();
  }

  /** Takes a datagram that arrived at {@code now}; owns {@code content} from here on. */
  void offer(ByteBuf content, Flow flow, long now) {
    int size = content.readableBytes();
    direction.packetsIn.incrementAndGet();
    direction.bytesIn.addAndGet(size);
    if (closed) {
      content.release();
      direction.droppedOther.incrementAndGet();
      return;
    }
    LinkConditions c = direction.conditions();
    if (c.burstLoss() != null && burst.lose(c.burstLoss(), direction.lossRandom)) {
      content.release();
      direction.lostBurst.incrementAndGet();
      return;
    }
    if (c.loss() > 0 && direction.lossRandom.nextDouble() < c.loss()) {
      content.release();
      direction.lostRandom.incrementAndGet();
      return;
    }
    advance(now, c);
    if (queue.size() >= c.queuePackets() || queuedBytes + size > c.queueBytes() || line.size() >= MAX_IN_FLIGHT) {
      content.release();
      direction.droppedQueueFull.incrementAndGet();
      return;
    }
    queue.add(new Held(content, flow, now));
    queuedBytes += size;
    run(now);
  }

  /** Moves what has departed into the delay line, delivers what is due, and sets the timer. */
  void run(long now) {
    if (closed) {
      return;
    }
    advance(now, direction.conditions());
    while (!line.isEmpty() && line.peek().deliverAt <= now) {
      exit.send(line.poll());
    }
    long next = Math.min(nextDeparture, line.isEmpty() ? Long.MAX_VALUE : line.peek().deliverAt);
    if (next != Long.MAX_VALUE && next < timerAt) {
      if (timer != null) {
        timer.cancel(false);
      }
      timerAt = next;
      timer = loop.schedule(this::fire, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private void fire() {
    timer = null;
    timerAt = Long.MAX_VALUE;
    run(System.nanoTime());
  }

  /** Lets every queued datagram whose turn at the token bucket has come by {@code now} depart. */
  private void advance(long now, LinkConditions c) {
    nextDeparture = Long.MAX_VALUE;
    while (!queue.isEmpty()) {
      Held h = queue.peek();
      long departure = Math.max(h.arrival, lastDeparture);
      if (c.rateLimited()) {
        // GCRA: a datagram conforms once the clock reaches TAT minus the burst tolerance.
        long tolerance = nanosToSend(c.burstBytes(), c.rateBitsPerSecond());
        departure = Math.max(departure, tat - tolerance);
        if (departure > now) {
          nextDeparture = departure;
          return;
        }
        tat = Math.max(tat, departure) + nanosToSend(h.size, c.rateBitsPerSecond());
      }
      queue.poll();
      queuedBytes -= h.size;
      lastDeparture = departure;
      long delay = c.delayNanos();
      if (c.jitterNanos() > 0) {
        delay += (long) ((direction.jitterRandom.nextDouble() * 2 - 1) * c.jitterNanos());
      }
      long at = departure + Math.max(0, delay);
      if (!c.reorder()) {
        at = Math.max(at, lastDelivery);
      }
      lastDelivery = Math.max(lastDelivery, at);
      h.deliverAt = at;
      h.order = order++;
      line.add(h);
    }
  }

  private static long nanosToSend(long bytes, long bitsPerSecond) {
    double nanos = bytes * 8.0 * 1e9 / bitsPerSecond;
    return nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) nanos;
  }

  /** Releases everything held and stops the timer; counts what was held as dropped. */
  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    for (Held h : queue) {
      h.content.release();
      direction.droppedOther.incrementAndGet();
    }
    queue.clear();
    queuedBytes = 0;
    for (Held h : line) {
      h.content.release();
      direction.droppedOther.incrementAndGet();
    }
    line.clear();
  }
}

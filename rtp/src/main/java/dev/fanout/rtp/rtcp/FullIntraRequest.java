package dev.fanout.rtp.rtcp;

import dev.fanout.rtp.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Full intra request, PSFB FMT 4 (RFC 5104 §4.3.1): the media source field is unused (0); each FCI
 * entry names a source and a command sequence number that the sender increments per new request.
 *
 * <pre>
 * |V=2|P| FMT=4   |  PT=PSFB=206  |          length               |
 * |                  SSRC of packet sender                        |
 * |             SSRC of media source (unused, 0)                  |
 * |                              SSRC                             |  (repeated)
 * | Seq nr.       |    Reserved (0)                               |
 * </pre>
 */
public record FullIntraRequest(int senderSsrc, int mediaSsrc, List<Entry> entries)
    implements RtcpPacket {

  public record Entry(int ssrc, int sequenceNumber) {
    public Entry {
      if (sequenceNumber < 0 || sequenceNumber > 255) {
        throw new IllegalArgumentException("FIR sequence number " + sequenceNumber);
      }
    }
  }

  public FullIntraRequest {
    entries = List.copyOf(entries);
  }

  public static FullIntraRequest of(int senderSsrc, int targetSsrc, int sequenceNumber) {
    return new FullIntraRequest(senderSsrc, 0, List.of(new Entry(targetSsrc, sequenceNumber)));
  }

  public static FullIntraRequest parse(byte[] b, int off, int len) {
    Rtcp.requireLength("FIR", 12, len);
    int n = (len - 12) / 8;
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int p = off + 12 + 8 * i;
      entries.add(new Entry(Bytes.i32(b, p), b[p + 4] & 0xff));
    }
    return new FullIntraRequest(Bytes.i32(b, off + 4), Bytes.i32(b, off + 8), entries);
  }

  @Override
  public int size() {
    return 12 + 8 * entries.size();
  }

  @Override
  public int write(byte[] dst, int off) {
    int size = size();
    Rtcp.requireSpace(dst, off, size);
    Rtcp.writeHeader(dst, off, false, Rtcp.FMT_FIR, Rtcp.PSFB, size);
    Bytes.put32(dst, off + 4, senderSsrc);
    Bytes.put32(dst, off + 8, mediaSsrc);
    int p = off + 12;
    for (Entry e : entries) {
      Bytes.put32(dst, p, e.ssrc());
      Bytes.put32(dst, p + 4, e.sequenceNumber() << 24);
      p += 8;
    }
    return size;
  }
}

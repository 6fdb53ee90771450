package dev.fanout.rtp.rtcp;

/**
 * One RTCP packet of a type Fanout understands, parsed into values. Each type has a static
 * {@code parse(buf, off, len)} over one packet (header included, padding excluded) and writes
 * itself into a caller-supplied buffer.
 */
public sealed interface RtcpPacket
    permits SenderReport, ReceiverReport, SourceDescription, Bye, App, GenericNack, TransportCc,
        PictureLossIndication, FullIntraRequest, Remb {

  /** Bytes {@link #write} produces, header and any padding included; a multiple of 4. */
  int size();

  /**
   * Writes the packet at {@code off}.
   *
   * @return {@link #size()}
   * @throws IllegalArgumentException when {@code dst} has no room for {@link #size()} bytes
   */
  int write(byte[] dst, int off);

  /** Writes into a new array. */
  default byte[] toByteArray() {
    byte[] out = new byte[size()];
    write(out, 0);
    return out;
  }
}

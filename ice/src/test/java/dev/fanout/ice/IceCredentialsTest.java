package dev.fanout.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IceCredentialsTest {
  @Test
  void generatedCredentialsMeetRfc8445Lengths() {
    SecureRandom random = new SecureRandom();
    Set<String> ufrags = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      IceCredentials c = IceCredentials.generate(random);
      // RFC 8445 §5.3: ufrag at least 24 bits, password at least 128 bits of randomness;
      // ice-chars carry 6 bits each.
      assertThat(c.ufrag().length() * 6).isGreaterThanOrEqualTo(24);
      assertThat(c.password().length() * 6).isGreaterThanOrEqualTo(128);
      assertThat(c.ufrag() + c.password()).matches("[A-Za-z0-9+/]+");
      ufrags.add(c.ufrag());
    }
    assertThat(ufrags).hasSize(1000);
  }

  @Test
  void rejectsWhatSdpCannotCarry() {
    assertThatThrownBy(() -> new IceCredentials("abc", "0123456789abcdefghijklmn"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IceCredentials("ab:cd", "0123456789abcdefghijklmn"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IceCredentials("abcd", "short"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringHidesThePassword() {
    assertThat(new IceCredentials("abcd", "0123456789abcdefghijklmn").toString())
        .doesNotContain("0123456789");
  }

  @Test
  void hostCandidatesFollowRfc8445Priorities() throws Exception {
    List<IceCandidate> c = IceCandidate.hosts(List.of(
        InetAddress.getByName("10.0.0.5"), InetAddress.getByName("198.51.100.9"),
        InetAddress.getByName("10.0.0.5"), InetAddress.getByName("2001:db8::5")), 10000);

    assertThat(c).extracting(IceCandidate::sdpAttribute).containsExactly(
        "candidate:1 1 udp 2130706431 10.0.0.5 10000 typ host",
        "candidate:2 1 udp 2130706175 198.51.100.9 10000 typ host",
        "candidate:3 1 udp 2130705919 2001:db8:0:0:0:0:0:5 10000 typ host");
    assertThatThrownBy(() -> IceCandidate.hosts(List.of(InetAddress.getByName("0.0.0.0")), 10000))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

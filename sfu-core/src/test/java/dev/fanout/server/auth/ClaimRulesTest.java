package dev.fanout.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules for room names, identities and display names, one refused case per reason. */
class ClaimRulesTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "alice", "room-1", "Jean Dupont", "user@example.com", "a.b_c:d+e=f",
      "José",                 // é composed (NFC)
      "Москва", "Ελένη", "محمد", "שרה",
      "東京タワー",              // Han with Katakana: Japanese
      "渋谷ab12",               // Han with Latin
      "서울 Seoul",             // Hangul with Latin
      "٣٤٥"                   // Arabic-Indic digits alone
  })
  void identifiersOfOneScriptWithoutInvisibleCharactersAreAccepted(String id) {
    assertThat(ClaimRules.identifier("identity", id)).isEqualTo(id);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "empty                     | ''                 | identity is required",
      "only spaces               | '   '              | identity must not start with a space",
      "leading space             | ' alice'           | identity must not start with a space",
      "trailing space            | 'alice '           | identity must not end with a space",
      "two spaces                | 'a  b'             | identity must not contain two spaces in a row",
      "NUL                       | 'ali\\u0000ce'     | identity contains U+0000 (a control character)",
      "line feed                 | 'alice\\n'         | identity contains U+000A (a control character)",
      "right-to-left override    | '\\u202Eecila'     | identity contains U+202E (a format character)",
      "zero-width space          | 'ali\\u200Bce'     | identity contains U+200B (a format character)",
      "no-break space            | 'a\\u00A0b'        | identity contains U+00A0 (a space other than U+0020)",
      "Hangul filler             | 'al\\u3164ice'     | identity contains U+3164 (an invisible filler)",
      "decomposed accent         | 'Jose\\u0301'      | identity contains U+0301 (a combining mark)",
      "unpaired surrogate        | 'a\\uD800'         | identity contains U+D800 (an unpaired surrogate)",
      "markup                    | '<b>'              | identity contains U+003C '<'",
      "Kelvin sign for K         | '\\u212Aevin'      | identity is not in Unicode normalization form NFKC",
      "fullwidth letters         | '\\uFF41lice'      | identity is not in Unicode normalization form NFKC",
      "Cyrillic a among Latin    | 'p\\u0430ypal'     | identity mixes the scripts Latin and Cyrillic",
      "Greek omicron among Latin | 'g\\u03BFogle'     | identity mixes the scripts Latin and Greek",
  })
  void identifiersThatCouldBeConfusedOrHideCharactersAreRefusedWithTheReason(
      String what, String value, String reason) {
    assertThatThrownBy(() -> ClaimRules.identifier("identity", unescape(value)))
        .as(what).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(reason);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 128, 129, 5000})
  void identifiersAreBoundedAt128CodePoints(int length) {
    String ascii = "a".repeat(length);
    // U+20000, a Han ideograph outside the BMP: two chars, one code point.
    String supplementary = "\uD840\uDC00".repeat(length);
    if (length <= ClaimRules.MAX_IDENTIFIER_LENGTH) {
      assertThat(ClaimRules.identifier("room", ascii)).isEqualTo(ascii);
      assertThat(ClaimRules.identifier("room", supplementary)).isEqualTo(supplementary);
    } else {
      assertThatThrownBy(() -> ClaimRules.identifier("room", ascii)).hasMessage("room is longer than 128 characters");
      assertThatThrownBy(() -> ClaimRules.identifier("room", supplementary)).hasMessage("room is longer than 128 characters");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Alice", "Jean-Luc Picard", "José", "Zoë 👩\u200D👩\u200D👧", "علی\u200Cرضا",
      "Alice <admin> & co", "\"quoted\"", "Ｆｕｌｌ", "Mädchen"})
  void displayNamesArePrintableTextIncludingMarkupCharactersAndJoiners(String name) {
    assertThat(ClaimRules.displayName(name)).isEqualTo(name);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "empty                  | ''                  | name must not be empty",
      "only spaces            | '   '               | name must not start or end with a space or joiner",
      "leading space          | ' Alice'            | name must not start or end with a space or joiner",
      "trailing joiner        | 'Alice\\u200D'      | name must not start or end with a space or joiner",
      "NUL                    | 'Ali\\u0000ce'      | name contains U+0000 (a control character)",
      "line break             | 'Alice\\nBob'       | name contains U+000A (a control character)",
      "right-to-left override | 'Alice\\u202Egpj.exe' | name contains U+202E (a format character)",
      "bidi isolate           | 'A\\u2066B'         | name contains U+2066 (a format character)",
      "byte-order mark        | 'A\\uFEFFB'         | name contains U+FEFF (a format character)",
      "line separator         | 'A\\u2028B'         | name contains U+2028 (a line separator)",
      "private use            | 'A\\uE000B'         | name contains U+E000 (a private-use character)",
      "Hangul filler          | 'A\\u115FB'         | name contains U+115F (an invisible filler)",
      "decomposed accent      | 'Jose\\u0301'       | name is not in Unicode normalization form NFC",
  })
  void displayNamesThatAreNotPrintableTextAreRefusedWithTheReason(String what, String value, String reason) {
    assertThatThrownBy(() -> ClaimRules.displayName(unescape(value)))
        .as(what).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(reason);
  }

  @ParameterizedTest
  @ValueSource(ints = {256, 257, 5000})
  void displayNamesAreBoundedAt256CodePoints(int length) {
    String name = "é".repeat(length);
    if (length <= ClaimRules.MAX_NAME_LENGTH) {
      assertThat(ClaimRules.displayName(name)).isEqualTo(name);
    } else {
      assertThatThrownBy(() -> ClaimRules.displayName(name)).hasMessage("name is longer than 256 characters");
    }
  }

  /** CSV cells spell invisible characters as \\uXXXX and \\n. */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'u') {
        b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'n') {
        b.append('\n');
        i++;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}

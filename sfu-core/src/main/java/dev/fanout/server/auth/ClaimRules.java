package dev.fanout.server.auth;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a room name, an identity and a display name may contain. Room names and identities are
 * keys: two that look the same must be the same string, so they are held to a narrow rule.
 * Display names are free text shown to people, so they only must be printable and bounded.
 *
 * <p>Every check throws {@link IllegalArgumentException} with a one-line reason that names the
 * offending character by code point, never echoing the value itself.
 */
public final class ClaimRules {
  /** Longest room name or identity, in code points. */
  public static final int MAX_IDENTIFIER_LENGTH = 128;
  /** Longest display name, in code points. */
  public static final int MAX_NAME_LENGTH = 256;

  private static final String IDENTIFIER_CHARACTERS =
      "letters, digits, single inner spaces and . _ @ : + = -";

  /**
   * Letters that render as nothing (Unicode Default_Ignorable_Code_Point, yet general category
   * Lo). U+3164 and U+FFA0 are also caught by NFKC, the other two are not.
   */
  private static final Set<Integer> INVISIBLE_LETTERS = Set.of(0x115F, 0x1160, 0x3164, 0xFFA0);

  /**
   * Scripts that may share one identifier, after UTS #39 §5.2 "Highly Restrictive": Japanese,
   * Chinese and Korean writing mix Han with their own scripts and with Latin. Any other mix
   * (Latin with Cyrillic or Greek, say) is how look-alikes such as "pаypal" are made.
   */
  private static final List<Set<UnicodeScript>> SCRIPT_MIXES = List.of(
      EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA),
      EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.BOPOMOFO),
      EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.HANGUL));

  private ClaimRules() {}

  /**
   * Checks a room name or an identity. Accepted: 1–128 code points, each a letter, a decimal
   * digit, a space or one of {@code . _ @ : + = -}; no space at either end nor two in a row; in
   * Unicode Normalization Form KC (so also NFC: no decomposed accents, no fullwidth or other
   * compatibility forms); letters and digits of one script (or one of {@link #SCRIPT_MIXES}).
   * Control and format characters (NUL, line breaks, bidirectional overrides, zero-width
   * characters) are not letters and so are refused.
   *
   * @param what "room" or "identity", for the message
   * @return {@code value}
   */
  public static String identifier(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (value.length() > 2 * MAX_IDENTIFIER_LENGTH
        || value.codePointCount(0, value.length()) > MAX_IDENTIFIER_LENGTH) {
      throw new IllegalArgumentException(
          what + " is longer than " + MAX_IDENTIFIER_LENGTH + " characters");
    }
    EnumSet<UnicodeScript> scripts = EnumSet.noneOf(UnicodeScript.class);
    int previous = ' ';
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (cp == ' ') {
        if (previous == ' ') {
          throw new IllegalArgumentException(i == 0
              ? what + " must not start with a space"
              : what + " must not contain two spaces in a row");
        }
      } else if ((Character.isLetter(cp) && !INVISIBLE_LETTERS.contains(cp)) || Character.isDigit(cp)) {
        UnicodeScript script = UnicodeScript.of(cp);
        if (script != UnicodeScript.COMMON && script != UnicodeScript.INHERITED) {
          scripts.add(script);
        }
      } else if (".:_@+=-".indexOf(cp) < 0) {
        throw new IllegalArgumentException(
            what + " contains " + describe(cp) + "; allowed are " + IDENTIFIER_CHARACTERS);
      }
      previous = cp;
      i += Character.charCount(cp);
    }
    if (previous == ' ') {
      throw new IllegalArgumentException(what + " must not end with a space");
    }
    if (!Normalizer.isNormalized(value, Normalizer.Form.NFKC)) {
      throw new IllegalArgumentException(what + " is not in Unicode normalization form NFKC "
          + "(use composed accents and plain letters and digits, not fullwidth or other compatibility forms)");
    }
    if (scripts.size() > 1 && SCRIPT_MIXES.stream().noneMatch(mix -> mix.containsAll(scripts))) {
      throw new IllegalArgumentException(what + " mixes the scripts " + names(scripts)
          + "; use letters of one script");
    }
    return value;
  }

  /**
   * Checks a display name. Accepted: 1–256 code points in Unicode Normalization Form C, not
   * starting or ending with a space or joiner, without control characters (NUL, line breaks,
   * tabs), format characters (bidirectional overrides and isolates, zero-width spaces, the
   * byte-order mark, soft hyphens) other than the zero-width joiner and non-joiner inside text
   * (emoji sequences, Persian), line or paragraph separators, private-use, unassigned or
   * unpaired surrogate code points, or invisible filler letters. Markup characters such as
   * {@code <} are text like any other: clients must display the name as text.
   *
   * @return {@code value}
   */
  public static String displayName(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    if (value.length() > 2 * MAX_NAME_LENGTH
        || value.codePointCount(0, value.length()) > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("name is longer than " + MAX_NAME_LENGTH + " characters");
    }
    int first = value.codePointAt(0);
    int last = value.codePointBefore(value.length());
    if (isSpaceOrJoiner(first) || isSpaceOrJoiner(last)) {
      throw new IllegalArgumentException("name must not start or end with a space or joiner");
    }
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (!printableInName(cp)) {
        throw new IllegalArgumentException(
            "name contains " + describe(cp) + ", which is not printable text");
      }
      i += Character.charCount(cp);
    }
    if (!Normalizer.isNormalized(value, Normalizer.Form.NFC)) {
      throw new IllegalArgumentException("name is not in Unicode normalization form NFC");
    }
    return value;
  }

  private static boolean printableInName(int cp) {
    if (INVISIBLE_LETTERS.contains(cp)) {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
      case Character.FORMAT -> cp == 0x200C || cp == 0x200D;
      default -> true;
    };
  }

  private static boolean isSpaceOrJoiner(int cp) {
    return Character.getType(cp) == Character.SPACE_SEPARATOR || cp == 0x200C || cp == 0x200D;
  }

  /** "U+202E (a format character)": the code point, and its category when it is invisible. */
  static String describe(int cp) {
    String u = String.format("U+%04X", cp);
    String kind = switch (Character.getType(cp)) {
      case Character.CONTROL -> "a control character";
      case Character.FORMAT -> "a format character";
      case Character.SURROGATE -> "an unpaired surrogate";
      case Character.PRIVATE_USE -> "a private-use character";
      case Character.UNASSIGNED -> "an unassigned code point";
      case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line separator";
      case Character.SPACE_SEPARATOR -> "a space other than U+0020";
      case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
          "a combining mark";
      default -> INVISIBLE_LETTERS.contains(cp) ? "an invisible filler" : null;
    };
    if (kind != null) {
      return u + " (" + kind + ")";
    }
    // A visible character: showing it helps, and one code point cannot smuggle markup far.
    return u + " '" + new String(Character.toChars(cp)) + "'";
  }

  private static String names(Set<UnicodeScript> scripts) {
    StringBuilder b = new StringBuilder();
    for (UnicodeScript s : scripts) {
      if (b.length() > 0) {
        b.append(" and ");
      }
      String n = s.name().toLowerCase(java.util.Locale.ROOT);
      b.append(Character.toUpperCase(n.charAt(0))).append(n.substring(1));
    }
    return b.toString();
  }
}

package io.runtrace.query.jaeger;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Durations as Jaeger's {@code minDuration} and {@code maxDuration} take them: Go's
 * {@code time.ParseDuration} syntax, e.g. {@code 1.2s}, {@code 100ms}, {@code 1h30m}, {@code 0}.
 */
final class GoDuration {
  private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L,
      "\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDuration() {}

  /** Nanoseconds; a negative duration, a missing unit or an unknown one is a 400 naming {@code parameter}. */
  static long parseNanos(String parameter, String text) {
    String s = text.trim();
    if (s.equals("0")) return 0;
    if (s.startsWith("-")) throw bad(parameter, text, "must not be negative");
    if (s.startsWith("+")) s = s.substring(1);
    if (s.isEmpty()) throw bad(parameter, text, "is empty");
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
      String number = s.substring(numberStart, i);
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') i++;
      Long unit = UNITS.get(s.substring(unitStart, i));
      if (number.isEmpty() || number.equals(".") || number.chars().filter(c -> c == '.').count() > 1) {
        throw bad(parameter, text, "is not a duration such as 1.2s, 100ms or 1h30m");
      }
      if (unit == null) throw bad(parameter, text, "needs a unit: ns, us, ms, s, m or h");
      total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw bad(parameter, text, "is too long");
    return total.longValue();
  }

  private static JaegerException bad(String parameter, String text, String why) {
    return JaegerException.badRequest("unable to parse param '" + parameter + "': " + JaegerParameters.quoted(text)
        + " " + why);
  }
}

"""Numbers for reports and text: JSON rounding, times with units, short figures."""

from __future__ import annotations

import math

__all__ = ["fmt_number", "fmt_time", "rounded"]


def rounded(x: float) -> float:
    """A float rounded to 9 significant digits, for reports (non-finite values kept).

    Examples:
        >>> rounded(1 / 3), rounded(math.inf)
        (0.333333333, inf)
    """
    return float(f"{x:.9g}") if math.isfinite(x) else x


def fmt_time(seconds: float) -> str:
    """Seconds with a readable unit: ``fmt_time(0.00125) == '1.25 ms'``.

    Examples:
        >>> fmt_time(2.5), fmt_time(3e-5), fmt_time(5e-8), fmt_time(0)
        ('2.5 s', '30 us', '50 ns', '0 s')
    """
    if seconds == 0 or not math.isfinite(seconds):
        return f"{seconds:g} s"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(seconds) >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:g} s"  # pragma: no cover


def fmt_number(x: float, log10: float | None = None) -> str:
    """A figure for messages: 3 significant digits; a value that underflowed to 0 (a
    fidelity, say) is shown by its exponent when ``log10`` is given.

    Examples:
        >>> fmt_number(0.98765), fmt_number(0.0, -4380.2), fmt_number(0.0)
        ('0.988', '1e-4380', '0')
    """
    if x == 0 and log10 is not None and math.isfinite(log10):
        return f"1e{round(log10)}"
    return f"{x:.3g}"

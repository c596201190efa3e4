"""A lookup's weights: each area's shares of its wards add up to 1, within their rounding.

In: the lookup table (its weight column as read, text) and its config section. Out: the lines
the data-checks page and the check report show. An area shared between n wards may be off by n
half-units of the last decimal place the file writes (each weight's rounding), or by the
configured ``weight_tolerance``, whichever is more; anything beyond is refused.
"""

from __future__ import annotations


def decimal_places(column) -> int:
    """The most digits after the point among the text values of ``column`` (0 if none)."""
    text = column.astype(str)
    if not text.str.contains(".", regex=False).any():
        return 0
    return int(text.str.extract(r"\.(\d+)$", expand=False).str.len().max())


def check_weight_totals(check, table, spec, key: str, places: int) -> None:
    """Add to ``check`` (a TableCheck) the totals' line, and a problem or a warning."""
    grouped = table.groupby(spec.code)[spec.weight]
    sums, rows = grouped.sum(), grouped.size()
    worst = float((sums - 1).abs().max())
    check.checks.append(f"weights 0 to 1; per-{spec.code} totals within {worst:.3f} of 1")
    # an area shared between n wards may be off by n half-units of the last decimal place
    # the file writes (its rounding), or by the configured tolerance, whichever is more
    allowed = (rows * 0.5 * 10.0**-places).clip(lower=spec.weight_tolerance)
    over = (sums - 1).abs() - allowed
    if float(over.max()) > 1e-9:  # 1e-9: a float sum's own noise
        area = str(over.idxmax())
        worst = abs(float(sums[area]) - 1)
        check.problems.append(
            f"{check.file}: {spec.weight} totals per {spec.code} differ from 1 by up to "
            f"{worst:.6g} ({area}'s add up to {float(sums[area]):.6g}), more than "
            f"its rounding to {places} decimal places allows and more than "
            f"geography.lookups.{key}.weight_tolerance ({spec.weight_tolerance:g}). An "
            "area's weights must add up to 1: check that the file lists every ward each "
            "area is shared with. If the publisher's weights are known to add up less "
            "exactly, set weight_tolerance to the largest difference it documents."
        )
    elif worst > 0.001:
        check.warnings.append(
            f"{check.file}: {spec.weight} totals per {spec.code} differ from 1 by up to "
            f"{worst:.3f} (rounding in the published weights); accepted."
        )

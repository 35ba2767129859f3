"""What a change would do before it is published: weights, tier sizes or hours, computed by the
re-score's own core on a copy of the inputs. Nothing is written."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..core.compute import compute
from ..model import Inputs, Results
from ..workbook import contract as c
from ..workbook.parse import Collector, canonical_tier, check_tier_sizes


class BadChange(ValueError):
    """A --weight, --size or --hours that names nothing or gives a value the contract refuses."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Preview:
    inputs_before: Inputs
    inputs_after: Inputs
    before: Results
    after: Results
    changes: list[str]
    """What was changed, in words: `Weight of ICP overlap 35 → 40`."""

    @property
    def moved(self) -> list[int]:
        """Rows whose tier would change."""
        return [i for i, (a, b) in enumerate(zip(self.before.tier, self.after.tier, strict=True))
                if a != b]


def split_assignment(text: str, option: str, problems: list[str]) -> tuple[str, str] | None:
    name, sep, value = text.rpartition("=")
    if not sep or not name.strip():
        problems.append(f"{option} {text!r}: expected NAME=VALUE, e.g. {option} \"Tier 1=20\"")
        return None
    return name.strip(), value.strip()


def number(text: str, option: str, raw: str, accepted: str, problems: list[str]) -> float | None:
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        problems.append(f"{option} {raw!r}: {text!r} is not a number; expected {accepted}")
        return None
    return value


def changed_inputs(
    inputs: Inputs, weights: tuple[str, ...] = (), sizes: tuple[str, ...] = (),
    hours: tuple[str, ...] = (),
) -> tuple[Inputs, list[str]]:
    """A copy of the inputs with the changes made; BadChange lists every one that is wrong."""
    problems: list[str] = []
    factors, tiers = list(inputs.factors), list(inputs.tiers)
    said: list[str] = []
    by_factor = {c.normalize_header(f.name): i for i, f in enumerate(factors)}
    for raw in weights:
        if (pair := split_assignment(raw, "--weight", problems)) is None:
            continue
        name, text = pair
        i = by_factor.get(c.normalize_header(name))
        value = number(text, "--weight", raw, "a weight > 0", problems)
        if i is None:
            problems.append(f"--weight {raw!r}: {name!r} is not a factor; expected one of "
                            + ", ".join(f.name for f in factors))
        elif value is not None and value <= 0:
            problems.append(f"--weight {raw!r}: {text} is out of range; expected a weight > 0")
        elif value is not None:
            said.append(f"Weight of {factors[i].name} {factors[i].weight:g} → {value:g}")
            factors[i] = dataclasses.replace(factors[i], weight=value)
    method = inputs.settings.tier_method
    for option, values in (("--size", sizes), ("--hours", hours)):
        for raw in values:
            if (pair := split_assignment(raw, option, problems)) is None:
                continue
            name, text = pair
            tier = canonical_tier(name, tiers)
            blank_ok = option == "--size" and tier == tiers[-1].name and text == ""
            accepted = size_accepted(method) if option == "--size" else "hours ≥ 0, e.g. 1.5"
            value = None if blank_ok else number(text, option, raw, accepted, problems)
            if tier is None:
                problems.append(f"{option} {raw!r}: {name!r} is not a tier; expected one of "
                                + ", ".join(t.name for t in tiers))
                continue
            if value is None and not blank_ok:
                continue
            if value is not None and (value < 0 or (option == "--size" and (
                    (method == "count" and not value.is_integer())
                    or (method == "threshold" and value > 100)))):
                problems.append(f"{option} {raw!r}: {text} is out of range; expected {accepted}")
                continue
            i = [t.name for t in tiers].index(tier)
            if option == "--size":
                said.append(f"Size of {tier} {_g(tiers[i].size)} → {_g(value)}")
                tiers[i] = dataclasses.replace(tiers[i], size=value)
            else:
                said.append(f"Hours per partner of {tier} {tiers[i].hours:g} → {value:g}")
                tiers[i] = dataclasses.replace(tiers[i], hours=value)
    if not problems:
        out = Collector()
        check_tier_sizes(tiers, [f"--size {t.name}" for t in tiers], method, out)
        problems += [str(p) for p in out.errors]
        if any(t.size is None for t in tiers[:-1]):
            problems.append("--size: only the last tier may have a blank Size")
    if problems:
        raise BadChange(problems)
    return dataclasses.replace(inputs, factors=factors, tiers=tiers), said


def size_accepted(method: str) -> str:
    return {
        "count": "a whole number of partners ≥ 0",
        "percent": "a share ≥ 0, e.g. 15% or 15",
        "threshold": "the lowest score that enters the tier, 0 to 100",
    }[method]


def preview(inputs: Inputs, weights: tuple[str, ...] = (), sizes: tuple[str, ...] = (),
            hours: tuple[str, ...] = ()) -> Preview:
    after, said = changed_inputs(inputs, weights, sizes, hours)
    return Preview(inputs, after, compute(inputs), compute(after), said)


def _g(value: float | None) -> str:
    return "blank" if value is None else f"{value:g}"

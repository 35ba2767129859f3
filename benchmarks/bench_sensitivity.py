"""How long the sensitivity check's random weight draws take.

Run on demand:  python benchmarks/bench_sensitivity.py [--partners 500] [--draws 10000] [--repeat 3]

Times `sensitivity()` in-process (best of --repeat) on a synthetic roster of --partners with four
factors on a 1–5 scale, count tiers 10% / 25% / the rest and a Tier buffer of 0: the ±20% moves
one at a time, then --draws seeded log-normal weight draws, each partner's chance of staying in its
tier and the rank correlation of every draw, with the process's peak resident memory after it;
then the draws alone (`draw_tiers`, which keeps every draw's scores, ranks and tiers).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xl_prioritize.model import Factor, Inputs, Member, Roster, Settings, Tier
from xl_prioritize.modelcheck.sensitivity import random_weights, sensitivity
from xl_prioritize.modelcheck.tiering import draw_tiers, setup_from_inputs


def synthetic(partners: int, seed: int = 1) -> Inputs:
    rng = np.random.default_rng(seed)
    factors = [Factor("Customer overlap", 35), Factor("Sales engagement", 30),
               Factor("Solution fit", 20), Factor("Market reach", 15)]
    tiers = [Tier("Tier 1", round(partners * 0.10), "Cadence", 6),
             Tier("Tier 2", round(partners * 0.25), "Review", 2), Tier("Tier 3", None, "Portal", 0)]
    roster = Roster(
        ids=[f"P-{i:05d}" for i in range(partners)], names=[f"Partner {i}" for i in range(partners)],
        managers=[None] * partners, scores=rng.integers(1, 6, (partners, 4)).astype(float),
        overrides=[None] * partners, override_reasons=[None] * partners,
    )
    return Inputs(Settings("2026-Q4", tier_method="count"), factors, tiers,
                  [Member("Ana", 200.0)], roster)


def best_of(repeat: int, run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Best wall-clock and best CPU seconds: on a shared machine the CPU time is the steadier."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inputs = synthetic(args.partners)
    weights = random_weights(np.array([f.weight for f in inputs.factors]), args.draws, 0.2, 20262)
    setup = setup_from_inputs(inputs)
    whole = best_of(args.repeat, lambda: sensitivity(inputs, draws=args.draws))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    draws_only = best_of(args.repeat, lambda: draw_tiers(setup, weights))
    load = os.getloadavg()[0]
    print(f"{args.partners} partners, {args.draws:,} draws (best of {args.repeat}): "
          f"whole sensitivity check {whole[0]:.2f} s ({whole[1]:.2f} s CPU, peak memory "
          f"{peak:.0f} MB); the draws alone, every draw kept, {draws_only[0]:.2f} s "
          f"({draws_only[1]:.2f} s CPU); load average {load:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

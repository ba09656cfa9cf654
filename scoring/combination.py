"""The cheapest combination of moves that reaches a score: an exact search, one band choice per component.

Each cooperative has options (component, band): a gain in points and a cost (Rupiah changed, relative to its
total aset); it takes at most one option per component and must gain at least `need` points at the least total
cost. This is a multiple-choice knapsack, solved exactly by dynamic programming over the points gained:

    best[g] = least cost of gaining at least g points (g capped at `need`),
    per component: best'[g] = min(best[g], min over its options of best[max(g - gain, 0)] + cost).

Bounds. Points are counted in units of the greatest common divisor of the gains (0.05 points with the table
books), so the table of one cooperative has need/unit + 1 cells (at most 100/0.05 + 1 = 2,001; to the next
predicate of ksp-2016 at most 51/0.05 + 1 = 1,021), and each component costs (cells x its options): at most
17 ratio components with at most 11 bands. Before the search, options that cannot be in a cheapest
combination are dropped: per component those that cost as much as a cheaper option and gain no more, and those
that cost as much as the cheapest single option that reaches the need alone. Cooperatives are searched
together, in blocks of similar need (a vectorised table per block of at most `CELLS` cells). Ties keep the
first choice found (no move before a move; per component, smaller gains before larger), so the same options
always give the same combination. National month (10,800 cooperatives below Sehat, 263,000 options after
pruning): about 1 s on 2 cores.
"""

from __future__ import annotations

from math import gcd

import numpy as np

CELLS = 1 << 18  # cells (cooperatives x points) of one block: 2 MiB of costs; narrow blocks waste fewer cells


def cheapest(coop: np.ndarray, komponen: np.ndarray, gain: np.ndarray, cost: np.ndarray,
             need: np.ndarray) -> np.ndarray:
    """Which options form each cooperative's cheapest combination (bool per option; none where no combination
    reaches the need).

    coop: the cooperative of each option (0..len(need) - 1); komponen: its component (int); gain: points gained
    (int, in the book's smallest skor step, > 0); cost: its cost (>= 0); need: points to gain per cooperative."""
    chosen = np.zeros(len(coop), dtype=bool)
    if not len(coop):
        return chosen
    gain, need = gain.astype(np.int64), need.astype(np.int64)
    unit = gcd(*np.unique(gain).tolist()) or 1
    target = -(-need // unit)
    keep = _useful(coop, komponen, np.minimum(gain // unit, target[coop]), cost, target)
    options = {"coop": coop[keep], "komponen": komponen[keep], "gain": np.minimum(gain // unit, target[coop])[keep],
               "cost": cost[keep], "option": np.flatnonzero(keep)}
    order = np.argsort(target, kind="stable")
    sizes = target[order] + 1
    blocks, start = [], 0
    while start < len(order):  # blocks of cooperatives in order of need, each at most CELLS cells (or one)
        fits = (np.arange(1, len(order) - start + 1) * sizes[start:]) <= CELLS
        blocks.append(order[start:start + max(1, int(fits.sum()))])
        start += len(blocks[-1])
    block_of = np.empty(len(target), dtype=np.int64)
    for b, block in enumerate(blocks):
        block_of[block] = b
    # the options grouped by block, in their order within each: one sort, not a scan of all options per block
    by_block = np.argsort(block_of[options["coop"]], kind="stable")
    bounds = np.searchsorted(block_of[options["coop"]][by_block], np.arange(len(blocks) + 1))
    for b, block in enumerate(blocks):
        mine = by_block[bounds[b]:bounds[b + 1]]
        chosen[_search({k: v[mine] for k, v in options.items()}, block, target)] = True
    return chosen


def _useful(coop: np.ndarray, komponen: np.ndarray, steps: np.ndarray, cost: np.ndarray,
            target: np.ndarray) -> np.ndarray:
    """The options worth searching: per (cooperative, component) those that gain more than every cheaper one
    (the others are dominated), and none that cost as much as the cheapest option reaching the need alone."""
    order = np.lexsort((-steps, cost, komponen, coop))
    key = coop[order] * (komponen.max() + 1) + komponen[order]
    first = np.r_[True, key[1:] != key[:-1]]
    best_before = _group_cummax_before(steps[order], first)
    keep = np.zeros(len(coop), dtype=bool)
    keep[order] = first | (steps[order] > best_before)
    alone = np.full(len(target), np.inf)
    reaches = keep & (steps >= target[coop])
    np.minimum.at(alone, coop[reaches], cost[reaches])
    return keep & ((cost < alone[coop]) | reaches)


def _group_cummax_before(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """For each position, the largest value before it in its group (groups start where `first`), 0 at a start."""
    group = np.cumsum(first) - 1
    offset = group * (values.max(initial=0) + 1)  # lift each group above the previous ones, then accumulate
    lifted = np.maximum.accumulate(values + offset)
    before = np.r_[0, lifted[:-1]] - offset
    return np.where(first, 0, before)


def _search(options: dict[str, np.ndarray], block: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The chosen option ids of one block of cooperatives, by the table above and a walk back through it."""
    local = np.full(len(target), -1, dtype=np.int64)
    local[block] = np.arange(len(block))
    rows = local[options["coop"]]
    need = target[block]
    width = int(need.max()) + 1
    best = np.full((len(block), width), np.inf)
    best[:, 0] = 0.0
    steps = []
    for k in np.unique(options["komponen"]):
        mine = options["komponen"] == k
        gains = np.unique(options["gain"][mine])
        ids = np.full((len(block), len(gains)), -1, dtype=np.int64)
        prices = np.full(ids.shape, np.inf)
        where = (rows[mine], np.searchsorted(gains, options["gain"][mine]))
        ids[where], prices[where] = options["option"][mine], options["cost"][mine]
        choice = np.zeros(best.shape, dtype=np.int16)
        updated = best.copy()
        for i, g in enumerate(gains):
            at = np.flatnonzero(ids[:, i] >= 0)
            price = prices[at, i][:, None]
            candidate = np.empty((len(at), width))
            candidate[:, :min(g, width)] = price  # best[:, 0] = 0: gaining at least c <= g costs the option
            candidate[:, g:] = best[at, :max(width - g, 0)] + price
            current, chosen_here = updated[at], choice[at]
            better = candidate < current
            np.copyto(current, candidate, where=better)
            chosen_here[better] = i + 1
            updated[at], choice[at] = current, chosen_here
        best = updated
        steps.append((choice, gains, ids))
    reached = np.isfinite(best[np.arange(len(block)), need])
    picked, at = [], need.copy()
    for choice, gains, ids in reversed(steps):
        i = choice[np.arange(len(block)), at].astype(np.int64) - 1
        moved = np.flatnonzero(reached & (i >= 0))
        picked.append(ids[moved, i[moved]])
        at[moved] = np.maximum(at[moved] - gains[i[moved]], 0)
    return np.concatenate(picked) if picked else np.array([], dtype=np.int64)

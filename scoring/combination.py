"""The cheapest combination of moves that reaches a score: an exact search, one band choice per component.

Each cooperative has options (component, band): a gain in points and a cost (Rupiah changed, relative to its
total aset); it takes at most one option per component and must gain at least `need` points at the least total
cost. This is a multiple-choice knapsack, solved exactly by dynamic programming over the points gained:

    best[g] = least cost of gaining at least g points (g capped at `need`),
    per component: best'[g] = min(best[g], min over its options of best[max(g - gain, 0)] + cost).

Points are counted in units of the greatest common divisor of the gains (0.05 points with the table books), so
the table of one cooperative has need/unit + 1 cells (at most 100/0.05 + 1 = 2,001; to the next predicate of
ksp-2016 at most 51/0.05 + 1 = 1,021) and the search costs (cells x options) for each component: bounded by
the number of components (17 ratio components) and their bands (at most 11). Cooperatives are searched
together, in blocks of similar need (a vectorised table per block of at most `CELLS` cells); ties keep the
cheaper choice found first (no move before a move, cheaper options before dearer ones), so the same options
always give the same combination.
"""

from __future__ import annotations

from math import gcd

import numpy as np
import pandas as pd

CELLS = 1 << 21  # cells (cooperatives x points) of one block: about 16 MiB of costs


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
    steps = np.minimum(gain // unit, target[coop])
    options = _pareto(pd.DataFrame({"coop": coop, "komponen": komponen, "gain": steps, "cost": cost,
                                    "option": np.arange(len(coop))}))
    order = np.argsort(target, kind="stable")
    sizes = target[order] + 1
    start = 0
    while start < len(order):  # blocks of cooperatives in order of need, each at most CELLS cells (or one)
        fits = (np.arange(1, len(order) - start + 1) * sizes[start:]) <= CELLS
        block = order[start:start + max(1, int(fits.sum()))]
        chosen[_search(options[np.isin(options["coop"].to_numpy(), block)], block, target)] = True
        start += len(block)
    return chosen


def _pareto(options: pd.DataFrame) -> pd.DataFrame:
    """Per (cooperative, component): drop the options that cost as much as a cheaper one and gain no more."""
    options = options.sort_values(["coop", "komponen", "cost", "gain"], ascending=[True, True, True, False],
                                  kind="stable")
    before = options.groupby(["coop", "komponen"], sort=False)["gain"].cummax().shift(fill_value=0)
    first = ~options.duplicated(["coop", "komponen"])
    return options[first | (options["gain"] > before.where(~first, 0))]


def _search(options: pd.DataFrame, block: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The chosen option ids of one block of cooperatives, by the table above and a walk back through it."""
    local = pd.Series(np.arange(len(block)), index=block)
    rows = local[options["coop"].to_numpy()].to_numpy()
    need = target[block]
    cells = np.arange(int(need.max()) + 1)
    best = np.where(cells[None, :] == 0, 0.0, np.inf).repeat(len(block), axis=0)
    steps = []
    for _, group in options.assign(row=rows).groupby("komponen", sort=True):
        slot = group.groupby("row", sort=False).cumcount().to_numpy()
        gain = np.zeros((len(block), slot.max() + 1), dtype=np.int64)
        cost = np.full(gain.shape, np.inf)
        ids = np.full(gain.shape, -1, dtype=np.int64)
        at = (group["row"].to_numpy(), slot)
        gain[at], cost[at], ids[at] = group["gain"].to_numpy(), group["cost"].to_numpy(), group["option"].to_numpy()
        choice = np.zeros(best.shape, dtype=np.int8)
        updated = best.copy()
        for j in range(gain.shape[1]):
            before = np.take_along_axis(best, np.maximum(cells[None, :] - gain[:, j, None], 0), axis=1)
            candidate = before + cost[:, j, None]
            better = candidate < updated
            updated = np.where(better, candidate, updated)
            choice[better] = j + 1
        best = updated
        steps.append((choice, gain, ids))
    reached = np.isfinite(best[np.arange(len(block)), need])
    picked, at = [], need.copy()
    for choice, gain, ids in reversed(steps):
        j = choice[np.arange(len(block)), at].astype(np.int64) - 1
        moved = reached & (j >= 0)
        rows_moved = np.flatnonzero(moved)
        picked.append(ids[rows_moved, j[moved]])
        at[moved] = np.maximum(at[moved] - gain[rows_moved, j[moved]], 0)
    return np.concatenate(picked) if picked else np.array([], dtype=np.int64)

"""Which rows a write's seals read back: exactly the rows it touched, in few queries."""

from __future__ import annotations

import random
import re

from tektoro_tui.data.seals import id_conditions


def selected(conditions: list[str], universe: range) -> set[int]:
    """The ids of ``universe`` the conditions select together (each checked for its size)."""
    chosen: set[int] = set()
    for condition in conditions:
        if found := re.fullmatch(r"id BETWEEN (\d+) AND (\d+)", condition):
            low, high = int(found[1]), int(found[2])
            assert 500 <= high - low + 1 <= 5000, condition
            part = {i for i in universe if low <= i <= high}
        else:
            listed = re.fullmatch(r"id IN \(([\d,]+)\)", condition)
            assert listed is not None, condition
            part = {int(i) for i in listed[1].split(",")}
            assert len(part) <= 500
        assert not part & chosen, "a row read twice"
        chosen |= part
    return chosen


def test_each_touched_row_is_read_once_and_no_other() -> None:
    rng = random.Random(20261205)
    universe = range(1, 40_001)
    cases = [
        [],
        [7],
        list(range(1, 12_346)),  # a bulk write: three ranges
        list(range(100, 599)),  # one short of a range: a list
        list(range(100, 600)),  # a range
        sorted(rng.sample(universe, 3_000)),  # scattered
    ]
    for _ in range(20):  # runs of every length among scattered ids
        ids: set[int] = set()
        while len(ids) < 15_000:
            start = rng.randrange(1, 39_000)
            ids.update(range(start, start + rng.choice((1, 3, 499, 500, 501, 1_200, 6_000))))
        cases.append(sorted(i for i in ids if i in universe))
    for ids in cases:
        conditions = list(id_conditions(ids))
        assert selected(conditions, universe) == set(ids)
    bulk = list(id_conditions(list(range(1, 1_000_001))))
    assert len(bulk) == 200

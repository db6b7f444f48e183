"""The build keeps Python's cyclic collector off the curation, and gives everything back to it afterwards."""

from __future__ import annotations

import gc

from catkg.ingest import collector


def test_paused_turns_the_collector_off_for_the_block_only() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        kept = [[] for _ in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() == 0, "outside a frozen block nothing is frozen"
    assert kept


def test_what_a_paused_block_keeps_inside_a_frozen_block_is_frozen_until_the_frozen_block_ends() -> None:
    with collector.frozen():
        before = gc.get_freeze_count()
        with collector.paused():
            kept = [[] for _ in range(1000)]
        assert gc.get_freeze_count() >= before + len(kept)
        assert not any(item is kept for item in gc.get_objects()), "the kept objects are out of the collector's reach"
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert any(item is kept for item in gc.get_objects()), "and back in it after"


def test_a_failing_block_still_gives_the_collector_back() -> None:
    try:
        with collector.frozen(), collector.paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled() and gc.get_freeze_count() == 0

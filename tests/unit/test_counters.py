from trustwatch.counters import InMemoryCounters


def test_a_member_counts_once_and_old_members_leave_the_window():
    counters = InMemoryCounters()
    assert counters.add("k", "a", at=0.0, window_s=10) == 1
    assert counters.add("k", "a", at=1.0, window_s=10) == 1
    assert counters.add("k", "b", at=5.0, window_s=10) == 2
    assert counters.add("k", "c", at=14.0, window_s=10) == 2


def test_a_late_event_neither_refreshes_a_member_nor_counts_later_ones():
    counters = InMemoryCounters()
    counters.add("k", "a", at=100.0, window_s=10)
    assert counters.add("k", "b", at=50.0, window_s=10) == 1
    assert counters.add("k", "c", at=105.0, window_s=10) == 2


def test_add_many_answers_as_the_same_adds_one_by_one():
    batches = [
        (float(t), [(f"k{(t + i) % 3}", f"m{(t * i) % 5}") for i in range(4)])
        for t in range(0, 60, 3)
    ]
    one_by_one = InMemoryCounters()
    expected = [[one_by_one.add(k, m, at, 20.0) for k, m in adds] for at, adds in batches]
    assert max(max(counts) for counts in expected) > 1
    batched = InMemoryCounters()
    assert [batched.add_many(adds, at, 20.0) for at, adds in batches] == expected
    assert batched.add_many([], 70.0, 20.0) == []


def test_least_recently_used_keys_are_evicted_past_the_bound():
    counters = InMemoryCounters(max_keys=2)
    counters.add("a", "x", at=0.0, window_s=10)
    counters.add("b", "x", at=0.0, window_s=10)
    counters.add("a", "y", at=1.0, window_s=10)
    counters.add("c", "x", at=2.0, window_s=10)
    assert counters.add("a", "z", at=3.0, window_s=10) == 3
    assert counters.add("b", "y", at=3.0, window_s=10) == 1

from trustwatch.review.charts import detector_time_chart


def test_detector_chart_shows_mean_microseconds_per_call_slowest_first():
    svg = detector_time_chart(
        {"fast": 100, "slow": 10, "unused": 0}, {"fast": 0.001, "slow": 0.002}
    )
    assert svg.index("slow") < svg.index("fast")
    assert "slow µs per call: 200.0" in svg and "fast µs per call: 10.0" in svg
    assert "unused" not in svg

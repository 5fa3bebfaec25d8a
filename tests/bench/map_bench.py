"""The four-colour unit map on 100,000 generated units: load, draw, hit-test.

Uses the search benchmark's cached 100k data dir. Figures: the time to read the points from SQLite
(one SELECT, arrays, projection, grid index), to build the dot runs (both on the page's worker
thread), to draw the whole map into a 1366×860 grab of the widget with no cached image (goal
≤ 500 ms), a repaint from the cached image (what a pan frame costs), a zoomed-in draw, and the
time of one "which unit is under the pointer" query.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from benchlib import emit, median, ms, note, percentile
from search_bench import build_data_dir

from inspector.services.facade import Services
from inspector.services.units.map import GridIndex
from inspector.ui.widgets.unit_map import MOUSE_HIT_PX, DotLayer, UnitMap

WIDTH, HEIGHT = 1366, 860
LOAD_RUNS = 5
DRAW_RUNS = 9
HIT_QUERIES = 20_000
GOAL_DRAW_S = 0.500


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def run() -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from inspector.ui.app import install_fonts

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    install_fonts(app)
    services = Services.open(build_data_dir())
    try:
        services.unit_map.points()  # warm the page cache
        loads = _timed(services.unit_map.points, LOAD_RUNS)
        points = services.unit_map.points()
        index_s = median(_timed(lambda: GridIndex(points.xs, points.ys), LOAD_RUNS))
        emit(
            f"map load: {len(points)} units ({points.without_coordinates} without coordinates)"
            f" in {ms(median(loads))} ms median of {LOAD_RUNS}"
            f" (grid index {ms(index_s)} ms of it)"
        )
        builds = _timed(lambda: DotLayer(points), LOAD_RUNS)
        emit(
            f"map dot runs (QPolygonF per colour and strip, built once per load on the worker):"
            f" {ms(median(builds))} ms"
        )

        widget = UnitMap()
        widget.resize(WIDTH, HEIGHT)
        widget.show()
        app.processEvents()
        widget.set_points(points, dots=DotLayer(points))

        def full_draw() -> None:
            widget.invalidate()
            widget.grab()

        full_draw()  # warm-up
        draws = _timed(full_draw, DRAW_RUNS)
        verdict = "goal met" if median(draws) <= GOAL_DRAW_S else "goal NOT met"
        emit(
            f"map draw: {len(points)} units at {WIDTH}×{HEIGHT}, nothing cached:"
            f" median {ms(median(draws))} ms, max {ms(max(draws))} ms of {DRAW_RUNS}"
            f" (goal ≤ {ms(GOAL_DRAW_S)} ms: {verdict})"
        )
        repaints = _timed(widget.grab, DRAW_RUNS)
        emit(f"map repaint from the cached dots (a pan frame): median {ms(median(repaints))} ms")
        widget.zoom_by(8.0)
        zoomed = _timed(full_draw, DRAW_RUNS)
        emit(f"map draw zoomed in 8× (only the strips in view): median {ms(median(zoomed))} ms")
        widget.reset_view()

        rng = random.Random(7)
        queries = [
            QPointF(rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)) for _ in range(HIT_QUERIES)
        ]
        hits = 0
        times = []
        for q in queries:
            t0 = time.perf_counter()
            found = widget.unit_at(q, MOUSE_HIT_PX)
            times.append(time.perf_counter() - t0)
            hits += found is not None
        emit(
            f"map hit-test: {HIT_QUERIES} pointer positions over the whole map,"
            f" median {median(times) * 1e6:.0f} µs, p99 {percentile(times, 99) * 1e6:.0f} µs"
            f" ({hits} landed on a unit)"
        )
        widget.close()
        note("map: draws are widget.grab() of a bare UnitMap; the load is UnitMapService.points()")
    finally:
        services.close()

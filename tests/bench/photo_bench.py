"""Photo ingest against its floor: our `add_file` versus bare Pillow doing open → transpose →
resize to 2560 → save, on a 12-megapixel camera-like JPEG (EXIF orientation 6)."""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from benchlib import emit, median, ms, note, scratch
from PIL import Image, ImageDraw, ImageOps

from inspector.services.demo.county import load_demo
from inspector.services.evidence.photos import prepare, watermark_text
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection

RUNS = 15
WARMUP = 2
WIDTH, HEIGHT = 4000, 3000
LONG_EDGE = 2560
QUALITY = 85
GOAL_RATIO = 1.3
MARKER = b"BENCH-000000"  # ImageDescription; patched per run so every original is new bytes


def make_camera_jpeg(seed: int = 7) -> bytes:
    """A 4000×3000 JPEG that compresses like a photo (gradients, shapes, sensor-like noise),
    stored landscape with EXIF orientation 6 and a DateTimeOriginal."""
    rng = random.Random(seed)
    w, h = WIDTH, HEIGHT
    img = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((w, h)),
            Image.linear_gradient("L").rotate(90).resize((w, h)),
            Image.radial_gradient("L").resize((w, h)),
        ),
    )
    draw = ImageDraw.Draw(img)
    for _ in range(400):
        x, y, s = rng.randrange(w), rng.randrange(h), rng.randrange(20, 600)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        kind = rng.random()
        if kind < 0.4:
            draw.rectangle((x, y, x + s, y + int(s * 0.6)), fill=colour)
        elif kind < 0.8:
            draw.ellipse((x, y, x + s, y + s), fill=colour, outline=(0, 0, 0), width=3)
        else:
            end = (rng.randrange(w), rng.randrange(h))
            draw.line((x, y, *end), fill=colour, width=rng.randrange(2, 12))
    noise = Image.merge("RGB", [Image.effect_noise((w, h), 64) for _ in range(3)])
    img = Image.blend(img, noise, 0.1)
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    exif[0x0110] = "BC-12"  # Model
    exif[0x010E] = MARKER.decode()  # ImageDescription
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x0132] = "2026:11:20 09:30:00"  # DateTime
    exif.get_ifd(0x8769)[36867] = "2026:11:20 09:30:00"  # DateTimeOriginal
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92, exif=exif.tobytes())
    data = buf.getvalue()
    assert data.count(MARKER) == 1
    return data


def floor(src: Path, dst: Path) -> None:
    """The same essential work done by bare Pillow."""
    with Image.open(src) as im:
        upright = ImageOps.exif_transpose(im)
        scale = LONG_EDGE / max(upright.size)
        size = (round(upright.width * scale), round(upright.height * scale))
        upright.resize(size, Image.Resampling.LANCZOS).save(dst, "JPEG", quality=QUALITY)


def _start_inspection(services: Services) -> tuple[str, str, list[str]]:
    people = [p for p in services.inspections.people() if p.role == "inspector"][:2]
    unit = services.units.search("", limit=1)[0]
    checklists = [c.id for c in services.inspections.checklists()][:1]
    iid = services.inspections.start(
        StartInspection(
            unit_id=unit.id,
            inspector_ids=[p.id for p in people],
            checklist_ids=checklists,
            place="一号车间",
            representative="王喆",
        )
    ).value
    return iid, unit.name, [p.name for p in people]


def run(*, profile: bool = False) -> None:
    with scratch("inspector-bench-photo-") as work:
        _run(work, profile)


def _run(work: Path, profile: bool) -> None:
    t0 = time.perf_counter()
    source = make_camera_jpeg()
    total = WARMUP + RUNS
    files = []
    for i in range(total + (3 if profile else 0)):
        path = work / "card" / f"IMG_{i:04d}.JPG"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.replace(MARKER, f"BENCH-{i:06d}".encode()))
        files.append(path)
    note(
        f"source JPEG {WIDTH}×{HEIGHT}, {len(source) / 1e6:.1f} MB, orientation 6;"
        f" made in {time.perf_counter() - t0:.1f} s"
    )

    services = Services.open(work / "data")
    try:
        load_demo(services.ctx, n_units=200, seed=7)
        iid, unit_name, inspectors = _start_inspection(services)
        start = datetime(2026, 11, 20, 9, 30)

        def mark(i: int) -> str:  # a different watermark per photo, as in the field
            return watermark_text(unit_name, start + timedelta(minutes=i), inspectors)

        out = work / "floor"
        out.mkdir()
        ingest_t: list[float] = []
        floor_t: list[float] = []
        prepare_t: list[float] = []

        def do_ingest(i: int) -> float:
            t = time.perf_counter()
            services.photos.add_file(iid, files[i], mark(i))
            return time.perf_counter() - t

        def do_floor(i: int) -> float:
            dst = out / f"{i}.jpg"
            t = time.perf_counter()
            floor(files[i], dst)
            dt = time.perf_counter() - t
            dst.unlink()
            return dt

        def do_prepare(i: int) -> float:
            data = files[i].read_bytes()
            t = time.perf_counter()
            prepare(data, name=files[i].name, watermark=mark(i))
            return time.perf_counter() - t

        steps: list[tuple[Callable[[int], float], list[float]]] = [
            (do_ingest, ingest_t),
            (do_floor, floor_t),
            (do_prepare, prepare_t),
        ]
        for i in range(total):
            # Rotate the order each round so no variant always runs first (or after the fsyncs).
            for k in range(len(steps)):
                fn, bucket = steps[(i + k) % len(steps)]
                dt = fn(i)
                if i >= WARMUP:
                    bucket.append(dt)

        view = services.inspections.view(iid)
        assert len(view.photos) == total, "every ingest must have stored a new photo"
        p = view.photos[-1]
        note(
            f"{RUNS} runs each after {WARMUP} warm-up; stored {p.width}×{p.height} original,"
            f" display {len(services.photos.image_bytes(p.display_sha256)) / 1e6:.2f} MB,"
            f" thumb {len(services.photos.image_bytes(p.thumb_sha256)) / 1e3:.0f} kB"
        )
        m_ing, m_floor, m_prep = median(ingest_t), median(floor_t), median(prepare_t)
        ratio = m_ing / m_floor
        emit(f"photo-ingest: median={ms(m_ing)} ms floor={ms(m_floor)} ms ratio={ratio:.2f}")
        emit(f"photo-prepare: median={ms(m_prep)} ms")
        note(
            "min/max: "
            + ", ".join(
                f"{label} {ms(min(t))}/{ms(max(t))} ms"
                for label, t in (("ingest", ingest_t), ("floor", floor_t), ("prepare", prepare_t))
            )
        )
        verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
        emit(f"photo goal ratio<={GOAL_RATIO}: {verdict}")

        if profile:
            prof = cProfile.Profile()
            for i in range(total, total + 3):
                prof.enable()
                services.photos.add_file(iid, files[i], mark(i))
                prof.disable()
            stats = pstats.Stats(prof, stream=sys.stderr)
            stats.sort_stats("tottime").print_stats(20)
            stats.sort_stats("cumulative").print_stats(30)
    finally:
        services.close()

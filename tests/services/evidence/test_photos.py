"""Evidence photos: real JPEGs in, upright watermarked copies out, bad files refused cleanly."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.evidence.photos import photos_in_folder, prepare
from inspector.services.facade import Services
from inspector.store.blobs import sha256_bytes
from inspector.store.models import Outbox, Photo
from tests.support.inspections import start
from tests.support.photos import jpeg_bytes


def test_exif_rotated_photo_comes_out_upright(services: Services, rotated_photo: Path) -> None:
    iid = start(services)
    pid = services.photos.add_file(
        iid, rotated_photo, "测试单位\n2026-11-23 10:00  检查人员：甲、乙"
    ).value
    [photo] = services.inspections.view(iid).photos
    assert photo.id == pid
    display = Image.open(io.BytesIO(services.photos.image_bytes(photo.display_sha256)))
    assert display.size == (600, 800)  # portrait after applying orientation 6
    # orientation 6 = rotate 90° clockwise: the red top-left quarter ends up top-right
    r, g, _b = display.convert("RGB").getpixel((display.width - 60, 60))
    assert r > 150 and g < 120
    # the original is kept byte for byte and addressed by its SHA-256
    original = services.photos.image_bytes(photo.original_sha256)
    assert original == rotated_photo.read_bytes()
    assert photo.original_sha256 == sha256_bytes(original)
    thumb = Image.open(io.BytesIO(services.photos.image_bytes(photo.thumb_sha256)))
    assert max(thumb.size) <= 320
    with services.ctx.store.read() as s:
        op = s.exec(select(Outbox).where(Outbox.entity == "photo")).one()
    assert photo.original_sha256 in op.blob_refs
    assert verify(services.ctx).ok


def test_watermark_is_drawn_on_the_display_copy() -> None:
    data = jpeg_bytes(1600, 1200)
    plain = Image.open(io.BytesIO(prepare(data, name="a.jpg", watermark="").display)).convert("L")
    marked = Image.open(
        io.BytesIO(prepare(data, name="a.jpg", watermark="青岚县某某公司 检查人员：张三").display)
    ).convert("L")
    bottom = (0, 1100, 1600, 1200)
    assert plain.crop(bottom).getextrema() != marked.crop(bottom).getextrema()
    top = (0, 0, 1600, 900)
    assert plain.crop(top).tobytes() == marked.crop(top).tobytes()


def test_large_photo_is_scaled_to_the_display_edge() -> None:
    out = prepare(jpeg_bytes(4000, 3000), name="big.jpg", watermark="x")
    assert Image.open(io.BytesIO(out.display)).size == (2560, 1920)
    assert (out.width, out.height) == (4000, 3000)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not an image at all", "不是可识别的图片"),
        (b"", "空文件"),
        (jpeg_bytes(800, 600)[:3000], "不完整或已损坏"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    services: Services, tmp_path: Path, content: bytes, message: str
) -> None:
    iid = start(services)
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        services.photos.add_file(iid, path, "x")
    assert services.inspections.view(iid).photos == []


def test_hundred_megapixel_image_is_refused(services: Services, tmp_path: Path) -> None:
    iid = start(services)
    path = tmp_path / "huge.png"
    Image.new("L", (10_000, 10_000)).save(path, optimize=False)  # 100 MP, small file
    with pytest.raises(UserError, match="像素过大"):
        services.photos.add_file(iid, path, "x")
    assert services.inspections.view(iid).photos == []


def test_vanished_file(services: Services, tmp_path: Path) -> None:
    iid = start(services)
    with pytest.raises(UserError, match="找不到文件"):
        services.photos.add_file(iid, tmp_path / "gone.jpg", "x")


def test_folder_import_lists_camera_card_images(tmp_path: Path) -> None:
    dcim = tmp_path / "DCIM" / "100CANON"
    dcim.mkdir(parents=True)
    for name in ("IMG_2.JPG", "IMG_1.jpg", "notes.txt"):
        (dcim / name).write_bytes(b"x")
    assert [p.name for p in photos_in_folder(tmp_path)] == ["IMG_1.jpg", "IMG_2.JPG"]


def test_photo_rows_point_only_at_stored_files(services: Services, photo_file: Path) -> None:
    iid = start(services)
    services.photos.add_file(iid, photo_file, "x")
    with services.ctx.store.read() as s:
        for p in s.exec(select(Photo)):
            for sha in (p.original_sha256, p.display_sha256, p.thumb_sha256):
                assert services.ctx.blobs.verify(sha) is None


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_every_exif_orientation_matches_pillows_transpose(orientation: int) -> None:
    from PIL import ImageOps

    data = jpeg_bytes(3000, 2000, orientation=orientation)
    ours = Image.open(io.BytesIO(prepare(data, name="o.jpg", watermark="").display))
    reference = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    reference.thumbnail((2560, 2560))
    assert ours.size == reference.size
    # the red quarter lands in the same corner
    w, h = ours.size
    corners = [(40, 40), (w - 40, 40), (40, h - 40), (w - 40, h - 40)]
    red = [c for c in corners if ours.convert("RGB").getpixel(c)[0] > 150]
    expected = [c for c in corners if reference.convert("RGB").getpixel(c)[0] > 150]
    assert red == expected


def test_original_keeps_its_real_media_type(services: Services, tmp_path: Path) -> None:
    iid = start(services)
    path = tmp_path / "scan.png"
    Image.new("RGB", (640, 480), (10, 120, 200)).save(path)
    pid = services.photos.add_file(iid, path, "x").value
    from inspector.store.models import Blob

    with services.ctx.store.read() as s:
        photo = s.get(Photo, pid)
        assert photo is not None
        assert s.get(Blob, photo.original_sha256).media_type == "image/png"  # type: ignore[union-attr]
        assert s.get(Blob, photo.display_sha256).media_type == "image/jpeg"  # type: ignore[union-attr]


def test_a_full_disk_is_a_message_and_no_row(services: Services, photo_file: Path) -> None:
    import errno

    iid = start(services)

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    import inspector.store.blobs as blobs

    original = blobs.write_durably
    blobs.write_durably = full  # type: ignore[assignment]
    try:
        with pytest.raises(UserError, match="存储空间不足"):
            services.photos.add_file(iid, photo_file, "x")
    finally:
        blobs.write_durably = original
    assert services.inspections.view(iid).photos == []

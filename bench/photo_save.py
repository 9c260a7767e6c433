"""Saving the exhibit form with two 12-megapixel phone photos, beside decoding those photos whole once.

    .venv/bin/python bench/photo_save.py [--runs 5]

A throw-away app on its own SQLite file (bench/measure.py); a unit's account posts the registration form with
two 4000 × 3000 JPEGs of about 5 MB (noise blurred as a camera's sensor would, so they compress like photos)
through Flask's test client: the whole request as the server runs it — form, re-encoding at the stored size,
thumbnails, files written, rows committed. The reference, measured in the same run, is Pillow decoding the same
two files at full size and nothing else: the least any server that reads the pictures must spend. The ratio is
what to compare between machines. Target: about a second for the form on a busy 2-core laptop.
"""

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from measure import make_bench_app
from PIL import Image, ImageFilter

from festival.core.extensions import db
from festival.models import Exhibit, Role
from tests import factories


def phone_photo(seed: int) -> bytes:
    image = Image.effect_noise((4000, 3000), 40 + seed).convert("RGB").filter(ImageFilter.GaussianBlur(1))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    photos = [phone_photo(0), phone_photo(1)]
    with tempfile.TemporaryDirectory() as folder:
        app = make_bench_app(Path(folder))
        with app.app_context():
            db.create_all()
            festival = factories.make_festival()
            festival.exhibit_quota = runs + 1
            category = factories.make_category(festival)
            unit = factories.make_unit("MAY10")
            email = factories.make_user(Role.UNIT, unit=unit).email
            db.session.commit()
            category_id = category.id
        client = app.test_client()
        client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
        saves, decodes = [], []
        for run in range(runs):
            started = time.perf_counter()
            for data in photos:
                with Image.open(io.BytesIO(data)) as image:
                    image.load()
            decodes.append(time.perf_counter() - started)
            form = {
                "title": f"Cữ gá may túi {run}",
                "category_id": str(category_id),
                "authors-0-full_name": "Nguyễn Văn An",
                "files": [(io.BytesIO(data), f"anh-{n}.jpg") for n, data in enumerate(photos)],
            }
            started = time.perf_counter()
            response = client.post("/exhibits/new", data=form, content_type="multipart/form-data")
            saves.append(time.perf_counter() - started)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with app.app_context():
            stored = db.session.execute(db.select(Exhibit)).scalars().all()
            assert len(stored) == runs and all(len(exhibit.attachments) == 2 for exhibit in stored)
    save, decode = statistics.median(saves), statistics.median(decodes)
    size = sum(len(p) for p in photos) / 1e6
    print(f"two 12-megapixel photos, {size:.1f} MB; median of {runs} runs")
    print(f"  form saved with both photos     {save:6.3f} s")
    print(f"  reference: decoding both whole  {decode:6.3f} s")
    print(f"  ratio                           {save / decode:6.2f}×")


if __name__ == "__main__":
    main()

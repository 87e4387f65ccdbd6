"""Build the five seed places' bundles with ``forecast init-region``, from the figures in inputs/places/.

Run from the project root:  .venv/bin/python data/build/places.py [OUT_FOLDER]
Each bundle data/<place>/ is what ``forecast init-region data/<place> --province P --from
data/build/inputs/places/<place>.yaml --force`` writes; tests/test_regions.py rebuilds them into a
temporary folder and checks the committed files are exactly what this produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from forecast.apps.regions.bundle import bundle_files  # noqa: E402
from forecast.apps.regions.figures import read_figures  # noqa: E402
from forecast.results.writers import write_files  # noqa: E402

#: place -> its province (the census table's name)
PLACES = {"qiandongnan": "贵州", "wenzhou": "浙江", "shaoxing": "浙江", "nanchang_county": "江西", "lhasa": "西藏"}


def build_place(place: str, out: Path) -> list[Path]:
    """Write the bundle of ``place`` into ``out`` (the files init-region writes, nothing else)."""
    figures = read_figures(Path("data/build/inputs/places") / f"{place}.yaml")
    return write_files(out, bundle_files(figures, PLACES[place]), option="DIR")


def build(out: Path | None = None) -> None:
    """Every place into ``out``/<place> (default data/)."""
    for place in PLACES:
        build_place(place, (out or ROOT / "data") / place)


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else None)

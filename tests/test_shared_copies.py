"""The official tables the tests compare with are shipped in tests/shared as copies of ../shared's
files (tests/shared/README.md cites each): unedited, and the same as ../shared's where that folder is
beside the project."""

from __future__ import annotations

import hashlib

from .conftest import ROOT, SHARED


def _recorded() -> dict[str, str]:
    """tests/shared/SHA256SUMS: relative path -> the SHA-256 the copy had when it was made."""
    lines = (SHARED / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in lines if line.strip())}


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_copy_is_recorded_unedited_and_the_shared_file_where_there_is_one():
    """Each table in tests/shared has its hash in SHA256SUMS and still has it; beside the project,
    ../shared holds the originals, and each copy is byte for byte its file (a copy whose original
    changed must be copied again)."""
    recorded = _recorded()
    shipped = sorted(str(p.relative_to(SHARED)) for p in SHARED.glob("*/*.csv"))
    assert shipped == sorted(recorded), (
        "a table in tests/shared without its hash in SHA256SUMS (or a hash without its table)"
    )
    originals = ROOT.parent / "shared"
    for name, digest in recorded.items():
        assert _sha256(SHARED / name) == digest, (
            f"tests/shared/{name} was edited: copy it again from ../shared (tests/shared/README.md)"
        )
        if (originals / name).is_file():
            assert (originals / name).read_bytes() == (SHARED / name).read_bytes(), (
                f"../shared/{name} changed: copy it into tests/shared again"
            )

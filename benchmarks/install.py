"""A regular install of the current source, for the benchmarks to measure.

Every figure runs sessionscope as a user has it: built into a wheel and installed into a
virtual environment of its own, not imported from the source tree. A developer's editable install adds an import hook to every interpreter start in its
environment (about 7 ms here), which the reference commands (``python -c "import orjson,
sqlite3"``, a bare Textual app) would pay and a user's would not: measured there, the ratios
flatter us. The install is made once per version of the source (a hash of its files) under
``benchmarks/.corpus``; its dependencies are the running environment's (a ``.pth`` file names
that environment's ``site-packages``, whose own ``.pth`` files, the editable hook among them,
are not read from there).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SOURCES = ("sessionscope", "pyproject.toml")


def _source_hash() -> str:
    digest = hashlib.sha256(sys.version.encode() + sys.executable.encode())
    digest.update(Path(__file__).read_bytes())  # how the install is made
    for name in SOURCES:
        top = ROOT / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".so":
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )


def regular_install(folder: Path) -> Path:
    """The virtual environment (under ``folder``) holding a regular install of the source as
    it is now: made if missing, older ones removed. Returns its folder."""
    venv = folder / f"install-{_source_hash()}"
    if (venv / "ready").exists():
        return venv
    for old in folder.glob("install-*"):
        shutil.rmtree(old, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="sessionscope-wheel-") as scratch:
        # Built from a copy of the hashed files: setuptools builds in the tree's build/, whose
        # leftovers (a module since deleted) would go into the wheel and make the installed
        # index's format differ from the source tree's.
        source, wheels = Path(scratch) / "source", Path(scratch) / "wheels"
        ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyc")
        for name in (*SOURCES, "README.md"):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, source / name, ignore=ignore)
            else:
                source.mkdir(exist_ok=True)
                shutil.copyfile(ROOT / name, source / name)
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "-q",
                "-w",
                str(wheels),
                str(source),
            ]
        )
        (wheel,) = wheels.glob("sessionscope-*.whl")
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "-q", str(wheel)])
    site = Path(
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    ours = sysconfig.get_paths()
    dependencies = dict.fromkeys([ours["purelib"], ours["platlib"]])
    (site / "sessionscope_benchmark_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    (venv / "ready").write_text(str(ROOT) + "\n")
    return venv

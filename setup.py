"""The optional C speed-ups (``sessionscope._speedups``); everything else is in pyproject.toml.

The extension is optional: where it cannot be built (no C compiler), sessionscope installs and
runs the same, with the pure-Python scans of ``sessionscope/transcripts/scan.py``.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "sessionscope._speedups",
            ["sessionscope/_speedups.c"],
            optional=True,
            extra_compile_args=["-O3"],
        )
    ]
)

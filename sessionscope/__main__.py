"""``python -m sessionscope``: the command line."""

from sessionscope.cli import main

raise SystemExit(main())

from sessionscope.cli import main

raise SystemExit(main())

"""The subcommands of the command line, one module each (``NAME``, ``HELP``, ``add_arguments``,
``run``); ``sessionscope.cli`` builds the parser from them."""

"""The ``caretui`` subcommands, one module per group; each imported only when run."""

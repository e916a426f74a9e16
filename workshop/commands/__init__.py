"""The subcommands of ``workshop``, one module per area."""

"""The command line, one module per group of commands; `bot/__main__.py` is the table that joins them."""

"""`python -m assistant` runs the `r2p` command line."""

from assistant.cli import main

main()

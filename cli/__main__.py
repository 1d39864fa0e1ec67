"""`python -m cli`: the same as the `r2p` command."""

from cli.main import main

main()

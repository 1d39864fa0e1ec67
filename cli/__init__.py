"""The `r2p` command line, a thin face over the assistant, the store and the evaluation suite."""

"""Storage and retrieval: embedder, Chroma store, indexer, hybrid retriever."""

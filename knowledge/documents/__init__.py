"""Official texts the Department loads: reading, structure, reviewable file, citations, clause index."""

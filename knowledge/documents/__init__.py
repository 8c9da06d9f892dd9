"""Official texts the Department loads: reading, structure, the reviewable file, citations, the clause index."""

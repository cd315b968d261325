"""Getting bytes from feed servers: politely (limits, conditional GET, backoff) and safely
(deadlines, size caps, redirect limits).  Nothing here parses feeds or touches the database."""

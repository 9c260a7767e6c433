"""The standard-library-only arithmetic of judging: plain data in, plain data out (no Flask, no database)."""

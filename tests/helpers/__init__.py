"""What tests of every layer share: sample transcripts, transcript builders, the fake Messages API,
the real CLI driver, a PostgreSQL server, tmux, and the SDK parity checks."""

"""Replay: play a session back at its recorded pace (pure parts; the screen is in ``tui``)."""

"""The bridge to claude-agent-sdk: fork, resume and stream a turn, permissions, rename, tag and
delete, handing a session to Claude Code. The SDK is imported when first used (over a second)."""

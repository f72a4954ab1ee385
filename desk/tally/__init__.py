"""The tally (日报 / 统计): what TALLY.md counts, for any period, the same way every time."""

"""The demo city of 开封市: its registry as data files loaded through the Excel import, and
the orchestration of every app's demo pieces (the top layer: it may import any app)."""

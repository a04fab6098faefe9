"""guidebot: a POEMS syndrome guideline assistant built from one review. Imports nothing, so every CLI path stays cheap."""

__version__ = "0.1.0"

"""annotator: annotate news articles with entities, events and claims."""

__version__ = "0.1.0"

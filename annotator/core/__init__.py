"""The core: models, text and offsets, tokens, the label schema, the store, commands,
review and agreement. Pure Python: imports nothing else of annotator, never click or Qt."""

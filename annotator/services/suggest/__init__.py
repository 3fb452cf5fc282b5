"""Suggestions learned from the project (issue 17): suggesters and their storage."""

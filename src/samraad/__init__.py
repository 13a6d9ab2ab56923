"""Samråd: the dialogue hub an association of municipalities runs before the yearly economic negotiations."""

"""Samråd: the dialogue hub municipalities use before the yearly economic negotiations."""

"""Answering "what do you hold about me, and delete it", and forgetting network data in time."""

"""Telling readers about replies to their comments: double opt-in, one-click unsubscribe."""

"""The shared layer below the parts: one implementation of each job several parts need.

Modules here are public to every part (their names have no leading underscore); a part never
keeps a private copy of one of these jobs. See ``docs/development.md`` for the list.
"""

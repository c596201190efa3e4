"""storymap: a static story-map site of digital exclusion among Londoners aged 65 and over."""

__version__ = "0.1.0"

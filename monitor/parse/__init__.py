"""From bytes to clean entries: feed parsing, entry normalisation, canonical URLs, discovery."""

"""Browser tests: Playwright drives Debian Chromium against the live server (`-m browser`)."""

"""Debian's Chromium, driven by Playwright (never a downloaded browser), as every browser suite starts it."""

import os

CHROMIUM_ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
]


def launch(playwright):
	"""A headless Chromium ($CP_CHROMIUM, else /usr/bin/chromium)."""
	return playwright.chromium.launch(
		executable_path=os.environ.get("CP_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
	)

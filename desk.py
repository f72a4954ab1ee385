#!/usr/bin/env python3
"""Launcher: `python desk.py ...` does exactly what the `desk` command does."""

import sys

from launch import main

if __name__ == "__main__":
    sys.exit(main())

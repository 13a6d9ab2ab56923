#!/usr/bin/env python
"""Same as the `samraad` command, for those used to manage.py."""

from samraad.cli import main

if __name__ == "__main__":
    main()

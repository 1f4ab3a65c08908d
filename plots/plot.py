#!/usr/bin/python3
"""Plot any tilt run's or sweep's columns with no code written: see `/usr/bin/python3 plots/plot.py --help`.
The same as `cd plots && /usr/bin/python3 -m tiltplot ...`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiltplot.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()

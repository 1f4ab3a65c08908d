"""tiltplot: tilt's figures for papers. One style (style.py), readers of tilt's CSV and JSON records (records.py)
and of the tables docs/ keeps of expensive studies (tables.py), figure functions (figures.py) and a command line
(`/usr/bin/python3 plots/plot.py --help`)."""
from . import figures, records, style, tables  # noqa: F401

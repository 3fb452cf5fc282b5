import sys

from annotator.cli import start

if __name__ == "__main__":
    sys.exit(start())

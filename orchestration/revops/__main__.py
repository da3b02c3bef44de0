import sys

from revops.cli import main

sys.exit(main())

"""`python -m pos_app.demo` (`make demo`): the scripted day headless, the live till with a display."""

import sys

from pos_app.demo.day import main

sys.exit(main())

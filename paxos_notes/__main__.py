"""``python -m paxos_notes``: run the command line (see ``paxos_notes.cli``)."""

from paxos_notes.cli import main

raise SystemExit(main())

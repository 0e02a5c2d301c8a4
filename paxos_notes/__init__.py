"""paxos_notes: an annotated, executable reading companion for *Paxos Made Simple*.

Leslie Lamport's paper (ACM SIGACT News 32(4), 2001) is read section by section in
the notebooks under ``notebooks/``; the logic those notebooks show lives in this
package. ``paxos_notes.paper`` holds the paper's section map and the short exact
quotations every notebook and test draws from.

Importing this package is deliberately cheap (no matplotlib, networkx or widgets
here): the command line's ``--help`` and the test collection both import it.
"""

__version__ = "0.1.0"

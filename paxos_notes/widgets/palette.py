"""Colours, dash styles and marker shapes shared by every widget.

The colours are Okabe and Ito's palette ("Color Universal Design", 2008), which
stays distinguishable under the common colour-vision deficiencies. No widget
relies on colour alone: every colour meaning below is paired with a dash style,
a marker shape or a text label, and each widget's caption says in words what
the colours mark.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

OKABE_ITO: tuple[str, ...] = (
    ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE, BLACK,
)

# Neutral greys are not data colours: they mark "absent", "down" or "not yet".
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"
PAPER = "#FFFFFF"
INK = "#222222"

# -- quorums -------------------------------------------------------------------
Q1_COLOUR = ORANGE  # phase-1 quorum / first quorum: solid outline, left half
Q2_COLOUR = BLUE  # phase-2 quorum / second quorum: dashed outline, right half
SHARED_COLOUR = BLACK  # the shared acceptor: thick black ring and a star

# -- proposers (one colour and one marker each) ----------------------------------
PROPOSER_COLOURS: tuple[str, ...] = (ORANGE, BLUE, BLUISH_GREEN, REDDISH_PURPLE, VERMILLION)
PROPOSER_MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "down")
COLLISION_COLOUR = VERMILLION

# -- values (x, y, z, ...) --------------------------------------------------------
VALUE_COLOURS: tuple[str, ...] = (ORANGE, SKY_BLUE, BLUISH_GREEN, REDDISH_PURPLE, YELLOW)

# -- roles in a cluster ------------------------------------------------------------
ROLE_COLOURS = {"proposer": ORANGE, "acceptor": SKY_BLUE, "learner": BLUISH_GREEN}
ROLE_MARKERS = {"proposer": "square", "acceptor": "circle", "learner": "diamond"}
DOWN_COLOUR = GREY

# -- messages: colour by phase, dash by direction -----------------------------------
MESSAGE_STYLES: dict[str, tuple[str, str]] = {
    # type: (colour, dash) — requests are solid, replies are dashed
    "Prepare": (BLUE, "solid"),
    "Promise": (BLUE, "dashed"),
    "Accept": (VERMILLION, "solid"),
    "Accepted": (VERMILLION, "dashed"),
    "Nack": (GREY, "dotted"),
    "Chosen": (BLUISH_GREEN, "dotted"),
}


def value_colour(value: str, values: tuple[str, ...]) -> str:
    """The colour of ``value`` among ``values`` (in order), cycling if needed."""
    i = values.index(value) if value in values else len(values)
    return VALUE_COLOURS[i % len(VALUE_COLOURS)]

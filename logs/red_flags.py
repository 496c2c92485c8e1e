"""
The red flags a single episode can show (PRODUCT.md), each defined once as a
condition on the episode's row. The summary and the clinician's list count them
over a period; the diary warns of them as soon as an episode is saved, and the
dashboard keeps the warning until the patient dismisses it. A warning points to
care: it names what was logged and where to go, never what it might be.
"""

import functools
import operator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from logs.models import Episode, User


@dataclass(frozen=True)
class RedFlag:
    name: str
    label: str
    condition: Q
    # Urgent: care now. The others: a doctor soon, within a day.
    urgent: bool = False


# The others of PRODUCT.md (spasms that keep coming) are read from the counts of a period.
EPISODE_RED_FLAGS = [
    RedFlag("bladder_bowel", "Loss of bladder or bowel control with a spasm", Q(bladder_bowel=True), urgent=True),
    RedFlag("saddle_numbness", "Numbness in the groin or saddle area", Q(saddle_numbness=True), urgent=True),
    RedFlag("fever", "Spasms with fever", Q(fever=True)),
    RedFlag("confusion", "Spasms with confusion", Q(confusion=True)),
    RedFlag("spreading_weakness", "New weakness that spreads", Q(spreading_weakness=True)),
    RedFlag("long", "An episode lasting more than an hour", Q(duration_seconds__gt=60 * 60)),
    RedFlag(
        "dark_urine",
        "Dark urine with weakness",
        Q(dark_urine=True) & (Q(weakness=True) | Q(spreading_weakness=True)),
    ),
]
ANY_RED_FLAG = functools.reduce(operator.or_, (flag.condition for flag in EPISODE_RED_FLAGS))

# Where a warning sends the patient: care now for an urgent flag, a doctor within a day for the others.
URGENT_ADVICE = "Call your local emergency number or go to an emergency department now."
SOON_ADVICE = "Contact your doctor or an urgent care service within a day."

# The dashboard warns of episodes that started this recently, until the patient dismisses them.
WARNING_DAYS = 14


@dataclass(frozen=True)
class Flagged:
    """An episode and the red flags it shows."""

    episode: Episode
    flags: list[RedFlag]

    @property
    def urgent(self) -> bool:
        return any(flag.urgent for flag in self.flags)

    @property
    def logged(self) -> str:
        """What was logged, to follow "You logged": "spasms with fever and new weakness that spreads"."""
        names = [flag.label[0].lower() + flag.label[1:] for flag in self.flags]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    @property
    def advice(self) -> str:
        return URGENT_ADVICE if self.urgent else SOON_ADVICE


def _flagged(episodes: QuerySet[Episode]) -> list[Flagged]:
    """The episodes with each flag's condition worked out by the database, in the one query."""
    rows = episodes.annotate(
        **{
            f"flag_{flag.name}": ExpressionWrapper(flag.condition, output_field=BooleanField())
            for flag in EPISODE_RED_FLAGS
        }
    )
    found = []
    for episode in rows:
        flags = [flag for flag in EPISODE_RED_FLAGS if getattr(episode, f"flag_{flag.name}")]
        if flags:
            found.append(Flagged(episode, flags))
    return found


def flags_of(episode: Episode) -> Flagged | None:
    """The red flags a saved episode shows, as stored, or None when it shows none."""
    found = _flagged(Episode.objects.filter(pk=episode.pk))
    return found[0] if found else None


def warnings(patient: User, now: datetime) -> list[Flagged]:
    """The patient's recent episodes with red flags whose warning is not dismissed: urgent first, then latest."""
    episodes = (
        Episode.objects.for_patient(patient)
        .filter(ANY_RED_FLAG, started_at__gte=now - timedelta(days=WARNING_DAYS), warning_dismissed_at=None)
        .order_by("-started_at")
    )
    return sorted(_flagged(episodes), key=lambda flagged: not flagged.urgent)

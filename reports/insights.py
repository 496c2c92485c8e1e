"""
What goes with more spasms, honestly.

For each daily factor (short sleep, few fluids, much caffeine, high stress,
nicotine, new exercise, sun or heat, each supplement, each medicine) the
episodes on the days with it are compared with those on the days without: the
rate ratio, with a 95% confidence interval, on the same day and on the day
after.

The days compared are the days with a check-in: a day without one may simply
not have been logged, and its factors are unknown. For the day after, that day
needs a check-in too.

The model is a Poisson regression of each day's episodes on the factor, fitted
by statsmodels, with the variance scaled by the spread the days really show
(quasi-Poisson; never narrower than plain Poisson). Spasms come in bursts, and a
plain Poisson interval would claim more certainty than a diary holds.

Many factors are compared at once, so some intervals will leave out 1 by chance
alone: an association is called clear only when it also holds with the p-values
adjusted for all the comparisons (Benjamini-Hochberg, again statsmodels), and
"possibly" otherwise.

A factor is compared only when each side has at least MIN_DAYS days; until then
the patient is told how many more check-ins it needs. None of this says what
causes what: the words are "associated with" and "more spasms on days with".
"""

import hashlib
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.template.defaultfilters import truncatechars
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from logs.models import SUPPLEMENT_FIELDS, CheckIn, field_label

MIN_DAYS = 7
# A medicine's name is cut to this many characters where it names a factor.
LABEL_CHARS = 30
LAGS = (0, 1)
CONFIDENCE = 0.95
# How long a fitted comparison is kept; the key is its data, so it never goes stale.
CACHE_SECONDS = 7 * 24 * 3600
# The check-in fields the factors read.
CHECKIN_FIELDS = [
    "day",
    "sleep_hours",
    "fluids_glasses",
    "caffeine_drinks",
    "stress",
    "nicotine",
    "exercise_new",
    "sun_heat_minutes",
    *SUPPLEMENT_FIELDS,
]


def _below(value, limit):
    return None if value is None else value < limit


def _at_least(value, limit):
    return None if value is None else value >= limit


@dataclass(frozen=True)
class Factor:
    """A yes-or-no question about a day, answered from its check-in: None when it was not recorded."""

    key: str
    label: str
    present: Callable[[CheckIn], bool | None]

    # A template reads its label; calling it there would ask a day of nothing.
    do_not_call_in_templates = True

    def __call__(self, checkin: CheckIn) -> bool | None:
        return self.present(checkin)


DAILY_FACTORS = [
    Factor("short_sleep", "sleep under 6 hours", lambda c: _below(c.sleep_hours, 6)),
    Factor("few_fluids", "fewer than 6 glasses of fluids", lambda c: _below(c.fluids_glasses, 6)),
    Factor("caffeine", "3 or more caffeine drinks", lambda c: _at_least(c.caffeine_drinks, 3)),
    Factor("stress", "stress of 7 or more", lambda c: _at_least(c.stress, 7)),
    Factor("nicotine", "nicotine", attrgetter("nicotine")),
    Factor("new_exercise", "new or unusual exercise", attrgetter("exercise_new")),
    Factor("sun_heat", "time in sun or heat", lambda c: _at_least(c.sun_heat_minutes, 1)),
    *(Factor(name, field_label(CheckIn, name), attrgetter(name)) for name in SUPPLEMENT_FIELDS),
]


def medicine_factor(medicine: Mapping[str, Any]) -> Factor:
    """Taking a medicine of the list: on the days from its start to its stop (open ends count as taken)."""
    started, stopped = medicine["started"], medicine["stopped"]

    def taken(checkin: CheckIn) -> bool:
        return (started is None or started <= checkin.day) and (stopped is None or checkin.day <= stopped)

    return Factor(f"medicine_{medicine['id']}", truncatechars(medicine["name"], LABEL_CHARS), taken)


@dataclass(frozen=True)
class Association:
    """One factor, on the same day (lag 0) or the day before (lag 1), against the days without it."""

    factor: Factor
    lag: int
    days_with: int
    days_without: int
    episodes_with: int
    episodes_without: int
    ratio: float
    low: float
    high: float
    p_value: float
    # The p-value adjusted for all the factors compared (Benjamini-Hochberg).
    q_value: float = 1.0

    @property
    def direction(self) -> str:
        """ "more" or "fewer" when the whole interval lies on one side of 1, else "unclear"."""
        if self.low > 1:
            return "more"
        if self.high < 1:
            return "fewer"
        return "unclear"

    @property
    def possibly_chance(self) -> bool:
        """The interval leaves out 1, but with this many comparisons it could still be chance."""
        return self.direction != "unclear" and self.q_value >= 1 - CONFIDENCE

    @property
    def when(self) -> str:
        return "on days with" if self.lag == 0 else "the day after"

    @property
    def headline(self) -> str:
        words = {"more": "more spasms", "fewer": "fewer spasms", "unclear": "no clear difference"}
        headline = (
            f"{'possibly ' if self.possibly_chance else ''}{words[self.direction]} {self.when} {self.factor.label}"
        )
        return headline[0].upper() + headline[1:]

    def _worded(self, none_with: str, only_with: str, both: str) -> str:
        """
        The ratio and its interval in one of three wordings, templates of `ratio`, `low` and
        `high`: for no episode on the days with the factor, for episodes on those days only, or else.
        """
        if not self.episodes_with:
            wording = none_with
        elif not self.episodes_without:
            wording = only_with
        else:
            wording = both
        return wording.format(ratio=self.ratio, low=self.low, high=self.high)

    @property
    def ratio_text(self) -> str:
        """The ratio and its interval, short, for a table."""
        return self._worded(
            "0 (up to {high:.1f})", "only with it (from {low:.1f})", "{ratio:.1f} ({low:.1f} to {high:.1f})"
        )

    @property
    def estimate(self) -> str:
        """The ratio and its interval in words."""
        return self._worded(
            "none on the days with it (95% CI up to {high:.1f} times the rate)",
            "only on the days with it (95% CI from {low:.1f} times the rate)",
            "{ratio:.1f} times the rate (95% CI {low:.1f} to {high:.1f})",
        )


@dataclass(frozen=True)
class Waiting:
    """A factor seen in the diary with too few days on one side to compare yet."""

    factor: Factor
    days_with: int
    days_without: int

    @property
    def needed_with(self) -> int:
        return max(0, MIN_DAYS - self.days_with)

    @property
    def needed_without(self) -> int:
        return max(0, MIN_DAYS - self.days_without)

    @property
    def needs(self) -> str:
        """How many more check-ins it needs, in words."""
        with_it = f"{self.needed_with} more check-in{'s' if self.needed_with != 1 else ''} with it"
        without = f"{self.needed_without} more without it"
        if self.needed_with and self.needed_without:
            return f"{with_it} and {self.needed_without} more without"
        return with_it if self.needed_with else without


@dataclass(frozen=True)
class Insights:
    associations: list[Association]  # strongest evidence first
    waiting: list[Waiting]
    checkin_days: int
    episodes: int

    @property
    def clear(self) -> list[Association]:
        """The associations that hold up however many factors were compared."""
        return [row for row in self.associations if row.direction != "unclear" and not row.possibly_chance]

    # With fewer check-ins than this, no factor can have MIN_DAYS days on both sides.
    checkins_required = 2 * MIN_DAYS

    @property
    def checkins_needed(self) -> int:
        return max(0, self.checkins_required - self.checkin_days)


def compare(
    checkins: Sequence[CheckIn], episodes_by_day: Mapping[date, int], medicines: Iterable[Mapping[str, Any]] = ()
) -> Insights:
    """
    The associations of a period's check-ins (objects with the CHECKIN_FIELDS)
    and the episodes of each of its days ({day: count}), with each medicine's
    dates (dicts of id, name, started, stopped) as factors too.
    """
    by_day = {checkin.day: checkin for checkin in checkins}
    factors = [*DAILY_FACTORS, *(medicine_factor(medicine) for medicine in medicines)]
    compared: list[tuple[Factor, int, npt.NDArray[np.bool_], npt.NDArray[np.float64]]] = []
    waiting: list[Waiting] = []
    for lag in LAGS:
        # Pairs of (the day of the factor, the day of the spasms), both with a check-in.
        pairs = [
            (checkin, outcome)
            for checkin in checkins
            if (outcome := by_day.get(checkin.day + timedelta(days=lag))) is not None
        ]
        counts = np.array([episodes_by_day.get(outcome.day, 0) for _, outcome in pairs], dtype=np.float64)
        for factor in factors:
            answers = [factor(checkin) for checkin, _ in pairs]
            known = np.array([answer is not None for answer in answers], dtype=bool)
            present = np.array([bool(answer) for answer in answers], dtype=bool)
            days_with = int((present & known).sum())
            days_without = int((~present & known).sum())
            if not days_with or not days_without:
                continue  # the same on every day of the period: nothing to compare
            if days_with < MIN_DAYS or days_without < MIN_DAYS:
                if lag == 0:
                    waiting.append(Waiting(factor, days_with, days_without))
                continue
            compared.append((factor, lag, present[known], counts[known]))

    estimates = _estimates([(present, counts) for _, _, present, counts in compared])
    associations = [
        Association(
            factor,
            lag,
            int(present.sum()),
            int((~present).sum()),
            int(counts[present].sum()),
            int(counts[~present].sum()),
            *estimate,
        )
        for (factor, lag, present, counts), estimate in zip(compared, estimates, strict=True)
    ]
    if associations:
        adjusted = multipletests([row.p_value for row in associations], alpha=1 - CONFIDENCE, method="fdr_bh")[1]
        associations = [replace(row, q_value=float(q)) for row, q in zip(associations, adjusted, strict=True)]
    associations.sort(key=_strength)
    return Insights(associations, waiting, checkin_days=len(checkins), episodes=int(sum(episodes_by_day.values())))


def _estimates(comparisons):
    """
    (ratio, low, high, p-value) for each (present, counts). The same days give
    the same answer, so each is kept in Django's cache under a digest of its
    data: a dashboard opened again fits nothing unless the diary changed.
    """
    keys = [
        f"insights:v1:{hashlib.sha256(present.tobytes() + b'|' + counts.tobytes()).hexdigest()}"
        for present, counts in comparisons
    ]
    known = cache.get_many(keys)
    fitted = {}
    for key, (present, counts) in zip(keys, comparisons, strict=True):
        if key not in known:
            fitted[key] = _estimate(present, counts)
    if fitted:
        cache.set_many(fitted, timeout=CACHE_SECONDS)
    estimates = known | fitted
    return [estimates[key] for key in keys]


def _estimate(present, counts):
    days_with, days_without = int(present.sum()), int((~present).sum())
    episodes_with, episodes_without = int(counts[present].sum()), int(counts[~present].sum())
    if episodes_with and episodes_without:
        return rate_ratio(present, counts)
    # No spasms at all on one side: the ratio is 0 or unbounded, which the regression
    # cannot fit; the exact conditional interval still says how far it can be trusted.
    return exact_rate_ratio(episodes_with, days_with, episodes_without, days_without)


def rate_ratio(present: npt.NDArray[np.bool_], counts: npt.NDArray[np.float64]) -> tuple[float, float, float, float]:
    """
    The ratio of the rates of counts with and without present, its 95%
    confidence interval and the p-value against no difference, from a Poisson
    regression whose variance follows the spread of the counts, or Poisson's if
    that is smaller.
    """
    design = np.column_stack([np.ones(len(counts)), present.astype(float)])
    model = GLM(counts, design, family=families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, PerfectSeparationWarning, RuntimeWarning))
        if np.ptp(counts) == 0:
            result = model.fit(scale=1.0)  # the same count every day: no spread to scale by
        else:
            result = model.fit(scale="X2")
            if result.scale < 1:
                result = model.fit(scale=1.0, start_params=result.params)
        low, high = result.conf_int(alpha=1 - CONFIDENCE)[1]
    return math.exp(result.params[1]), math.exp(low), math.exp(high), float(result.pvalues[1])


def exact_rate_ratio(
    episodes_with: int, days_with: int, episodes_without: int, days_without: int
) -> tuple[float, float, float, float]:
    """
    The rate ratio with the exact conditional (Clopper-Pearson) interval: given
    all the episodes, those on the days with the factor are binomial, with a
    share that the days and the ratio fix.
    """
    total = episodes_with + episodes_without
    test = stats.binomtest(episodes_with, total, days_with / (days_with + days_without))
    interval = test.proportion_ci(confidence_level=CONFIDENCE, method="exact")
    scale = days_without / days_with

    def ratio(share: float) -> float:
        return math.inf if share >= 1 else share / (1 - share) * scale

    return ratio(episodes_with / total), ratio(interval.low), ratio(interval.high), float(test.pvalue)


def _strength(row):
    """Strongest evidence first: the smallest p-value."""
    return (row.p_value, row.factor.label, row.lag)

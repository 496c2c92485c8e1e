import pytest

from spasmlog.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("45s", 45),
        ("45 s", 45),
        ("45 seconds", 45),
        ("2 min", 120),
        ("2min", 120),
        ("2 minutes", 120),
        ("1h 5m", 3900),
        ("1h5m", 3900),
        ("1 hour and 5 minutes", 3900),
        ("1 h, 5 min", 3900),
        ("90", 90),
        (" 90 ", 90),
        ("1.5 min", 90),
        ("1,5 min", 90),
        ("1:30", 90),
        ("1:02:03", 3723),
        ("2 MIN 30 S", 150),
        ("24h", 86400),
    ],
)
def test_it_reads_durations_as_people_type_them(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "5 weeks", "1:75", "min", "1 h 30", "--5", "5 5"])
def test_it_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    "seconds, text",
    [(45, "45 s"), (60, "1 min"), (90, "1 min 30 s"), (3900, "1 h 5 min"), (7200, "2 h"), (3601, "1 h 1 s")],
)
def test_it_writes_durations_shortly(seconds, text):
    assert format_duration(seconds) == text


def test_what_it_writes_reads_back_the_same():
    for seconds in [1, 59, 61, 3599, 3600, 3661, 86400]:
        assert parse_duration(format_duration(seconds)) == seconds

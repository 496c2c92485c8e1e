class IdConverter:
    """A record's number: digits, at most 18 of them, so it always fits the database's integer."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)

import re

# Users and sessions have integer primary keys, written as strings in JSON.
# Only ASCII digits count: str.isdigit() also accepts "²" and "１".
# Leading zeros are rejected too, so "02" is not another spelling of "2".
NUMERIC_ID = re.compile(r"0|[1-9][0-9]{0,17}")


def parse_numeric_id(value: str) -> int | None:
    """Return the integer ID written in ``value``, or None if it is not one."""
    if isinstance(value, str) and NUMERIC_ID.fullmatch(value):
        return int(value)
    return None

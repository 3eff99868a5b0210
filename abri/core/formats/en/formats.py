"""English formats (abri.core.formats): « 1 December 2026 », « 30 November 2026, 07:30 »."""
# Only what Abri writes differently from Django's own locale module (input formats and separators stay Django's).

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1

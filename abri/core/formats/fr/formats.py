"""French formats (abri.core.formats): dates in words, « 07 h 30 » for a time of day."""
# Only what Abri writes differently from Django's own locale module (input formats and separators stay Django's).

DATE_FORMAT = "j F Y"
TIME_FORMAT = r"H \h i"
DATETIME_FORMAT = r"j F Y \à H \h i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = r"d/m/Y \à H \h i"
FIRST_DAY_OF_WEEK = 1

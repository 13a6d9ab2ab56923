# English date formats: "Monday 31 March 2025 at 19:00" (24-hour clock, as in Denmark).
DATE_FORMAT = "l j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"l j F Y \a\t H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

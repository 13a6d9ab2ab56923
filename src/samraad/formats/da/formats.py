# Danish date formats: "mandag den 31. marts 2025 kl. 19.00".
DATE_FORMAT = r"l \d\e\n j. F Y"
TIME_FORMAT = "H.i"
DATETIME_FORMAT = r"l \d\e\n j. F Y \k\l. H.i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H.i"

"""The audited models and their key fields: one line per model.

Values of `fields` are logged before and after; `secret_fields` only that they
changed (a Teams join link is a secret, a password hash too); long free text is
a secret field as well, so the log says that a summary changed without
copying it. Models whose rows are made in bulk by staff actions (attendance
records of an imported report) are audited on update and delete only.
"""

from samraad.audit.registry import audited

UPDATE_DELETE = ("update", "delete")

# Staff logins and their rights (staff, administrator, the person a login acts for).
audited(
    "accounts.User",
    fields=[
        "username",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "person",
    ],
    secret_fields=["password"],
)
# Personal links: creation by staff ("send a new link"), revocation, expiry.
audited("accounts.AccessLink", fields=["round", "person", "purpose", "expires_at", "revoked_at"])

# The directory: people, their roles, municipalities' mail domains.
audited(
    "directory.Person",
    fields=["name", "email", "phone", "municipality", "region", "party", "title"],
)
audited("directory.Role", fields=["person", "kind"])
audited("directory.EmailDomain", fields=["municipality", "domain"])
audited("directory.Municipality", fields=["name", "region", "council_size"], actions=UPDATE_DELETE)

# Rounds and their timeline.
audited(
    "rounds.Round",
    fields=[
        "code",
        "slug",
        "year",
        "title",
        "starts_on",
        "ends_on",
        "negotiations_start",
        "input_deadline",
        "input_address",
        "contact",
        "is_published",
        "retention_date",
    ],
    secret_fields=["intro", "meetings_text", "kkr_text", "input_text"],
)
audited("rounds.Theme", fields=["round", "key", "name", "name_en", "position"])

# Track 1: the meeting, its sessions (the join link only as "changed"), registrations.
audited(
    "meetings.Meeting",
    fields=[
        "title",
        "registration_opens_at",
        "registration_deadline",
        "link_release_at",
        "late_registration",
        "reminder_at",
        "day_reminder_time",
    ],
)
audited(
    "meetings.Session",
    fields=["meeting", "starts_at", "ends_at", "format", "capacity"],
    secret_fields=["join_url"],
)
audited(
    "meetings.Registration",
    fields=["meeting", "session", "person", "status", "late"],
    secret_fields=["question"],
)
audited(
    "meetings.AttendanceImport",
    fields=["session", "filename", "rows", "replaced_at"],
)
audited(
    "meetings.AttendanceRecord",
    fields=["person", "matched_by", "dismissed", "dismissed_reason"],
    actions=UPDATE_DELETE,
)

# Track 2: KKR meetings and the approval of their records.
audited("regional.KkrMeeting", fields=["round", "region", "starts_at", "place", "agenda_item"])
audited(
    "regional.KkrRecord",
    fields=["status", "approved_at", "approved_by", "reopened_at", "reopened_by"],
    secret_fields=["summary", "challenges"],
)

# Track 3: council input status, reminders, speaker requests and assignments.
audited(
    "councils.CouncilInput",
    fields=["round", "municipality", "status", "received_at", "used_at"],
    secret_fields=["email_notes"],
)
audited("councils.InputReminder", fields=["round", "send_at", "sent_at"])
audited(
    "speakers.SpeakerRequest",
    fields=[
        "round",
        "municipality",
        "presenter_kind",
        "meeting_format",
        "topic",
        "status",
        "presenter",
        "starts_at",
        "ends_at",
    ],
    secret_fields=["decline_reason", "cancel_reason", "presenter_notes", "online_url"],
)

# Mail: the wording of every kind of mail, and the triage of incoming mail.
audited("mail.MailTemplate", fields=["key", "language", "subject"], secret_fields=["body"])
audited(
    "mail.InboundMessage",
    fields=["round", "municipality", "triage_status"],
    secret_fields=["triage_note"],
    actions=UPDATE_DELETE,
)

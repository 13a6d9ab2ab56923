"""The one error type services raise for a user-facing refusal."""


class ServiceError(Exception):
    """A business rule said no. `message` is translated and safe to show to the user."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

"""Domain errors raised by services; views and the API turn them into messages.

Every message says what is wrong and what to do, in the user's language (lazy translations).
"""


class ServiceError(Exception):
    """A rule refused the request; nothing was changed."""

    status = 400

    def __init__(self, message, *, field=None, rule=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        # the requirement id (such as R-CASE-4) for machines and logs (the API's "rule"
        # field), never part of the message a person reads
        self.rule = rule

    def __str__(self):
        return str(self.message)


class Forbidden(ServiceError):
    """The actor's role or scope does not allow this action (R-ORG-4)."""

    status = 403


class NotFound(ServiceError):
    status = 404


class InvalidInput(ServiceError):
    """Input that breaks a rule of a record; `errors` maps each field to its messages."""

    def __init__(self, errors: dict, *, rule=None):
        self.errors = {k: [str(m) for m in v] for k, v in errors.items()}
        first = next(iter(self.errors.values()))[0] if self.errors else ""
        super().__init__(first, rule=rule)

    @classmethod
    def from_validation_error(cls, exc):
        if hasattr(exc, "error_dict"):
            return cls({k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()})
        return cls({"__all__": exc.messages})

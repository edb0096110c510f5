"""Stand-ins (the tests never import them: nothing here needs keras)."""


class Gate:
    pass


class OldGate:
    pass


class Shift:
    pass


class Extra:
    pass

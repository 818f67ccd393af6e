"""What the contracts tell the rest of the platform, without knowing who listens.

``contract_ended`` is sent inside the action's transaction, once the contract is saved as ended:
a receiver writing to the database writes in that same transaction (rolled back with it)."""

from django.dispatch import Signal

# Arguments: ``contract`` (the Contract, now ended), ``actor`` (the user who ended it, or None).
contract_ended = Signal()

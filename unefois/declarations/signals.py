"""What the declarations tell the rest of the platform, without knowing who listens.

``declaration_confirmed`` is sent inside the action's transaction, once the declaration's version
is written: when a month is declared (version 1) and when it is corrected (a new version). A
receiver that writes to the database writes in that same transaction: if the action is rolled
back, so is what the receiver wrote; if the receiver fails, the action fails."""

from django.dispatch import Signal

# Arguments: ``declaration`` (Declaration), ``version`` (the DeclarationVersion now in force),
# ``actor`` (the user who declared or corrected, or None).
declaration_confirmed = Signal()

"""Exchanges with partner bodies: partners and their keys, scopes (field masks) with their purpose
and legal basis, a person's objection, the hash-chained exchange log with its signed checkpoints,
and the per-person access journal.

The log, its checkpoints and the journal are append-only: the database refuses UPDATE and DELETE
on them (``unefois.audit.append_only``).

Push and pull: a partner subscribes (``Subscription``) one of its scopes to an event of the domain
(``EventKind``); each such event writes an ``Event`` (references only, no data) and one
``OutboxMessage`` per subscription, in the transaction of the action that made the change. The
worker (``delivery.py``) pushes the messages of push subscriptions to the partner's webhook; the
feed (``feed.py``) serves every message of the partner's subscriptions, by position."""

import uuid

from django.db import models

from unefois.contracts.models import Contract
from unefois.declarations.models import Declaration, DeclarationVersion
from unefois.people.models import Person


class PartnerKind(models.TextChoices):
    CPAM = "cpam", "Assurance maladie (CPAM)"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    CAF_MSA = "caf_msa", "CAF / MSA"
    DGFIP = "dgfip", "Direction générale des finances publiques (DGFiP)"
    DRM = "drm", "Dispositif des ressources mensuelles (mesdroitssociaux)"
    THIRD_PARTY = "third_party", "Logiciel tiers-déclarant"


class Partner(models.Model):
    """A body (or a piece of software) entitled to call the partner API."""

    client_id = models.SlugField("identifiant client OAuth2", max_length=64, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=PartnerKind.choices)
    active = models.BooleanField("actif", default=True)
    rate_per_second = models.FloatField("appels par seconde (débit soutenu)", default=50.0)
    burst = models.PositiveIntegerField("appels en rafale", default=100)
    webhook_url = models.URLField(
        "adresse du webhook",
        max_length=500,
        blank=True,
        help_text="Où livrer les événements des abonnements poussés (https ; http seulement en "
        "local). Vide : le partenaire lit le flux des événements.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "partenaire"
        verbose_name_plural = "partenaires"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerKey(models.Model):
    """A public key of a partner (one JWK of its JWKS), used to check its client assertions
    (``private_key_jwt``, RFC 7523). A revoked key is kept, with the date of its revocation."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="keys", verbose_name="partenaire"
    )
    kid = models.CharField("identifiant de clé (kid)", max_length=128)
    jwk = models.JSONField("clé publique (JWK)")
    created_at = models.DateTimeField("ajoutée le", auto_now_add=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        verbose_name = "clé publique de partenaire"
        verbose_name_plural = "clés publiques des partenaires"
        constraints = [models.UniqueConstraint(fields=["partner", "kid"], name="partner_kid_once")]

    def __str__(self) -> str:
        return f"{self.partner.client_id} / {self.kid}"


class Purpose(models.Model):
    """Why data are exchanged, in words the person understands (shown in « Mes données »)."""

    code = models.SlugField("code", max_length=64, unique=True)
    label = models.CharField("finalité", max_length=200)

    class Meta:
        verbose_name = "finalité"
        verbose_name_plural = "finalités"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class Scope(models.Model):
    """What a partner may read: one resource of the API, masked to ``fields``, for one purpose,
    on one legal basis. A call outside the scope's fields never returns them."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="scopes", verbose_name="partenaire"
    )
    code = models.SlugField("code (scope OAuth2)", max_length=64, unique=True)
    label = models.CharField("libellé", max_length=200)
    resource = models.CharField("ressource de l'API", max_length=40)
    fields = models.JSONField("champs autorisés")
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="scopes", verbose_name="finalité"
    )
    legal_basis = models.TextField("base légale")
    legal_basis_note = models.TextField(
        "réserve sur la base légale",
        blank=True,
        help_text="Vide si la base légale a été vérifiée dans les textes ; sinon, ce qui reste "
        "à confirmer.",
    )
    mandatory = models.BooleanField(
        "échange obligatoire",
        default=False,
        help_text="Un échange obligatoire ne peut pas faire l'objet d'une opposition.",
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "périmètre"
        verbose_name_plural = "périmètres"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Objection(models.Model):
    """A person objects to the non-mandatory exchanges of their data (with one partner, or with
    all when ``partner`` is empty). Withdrawing it keeps the row, with the date."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="personne"
    )
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="partenaire (vide : tous)",
    )
    created_at = models.DateTimeField("exprimée le", auto_now_add=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)

    class Meta:
        verbose_name = "opposition"
        verbose_name_plural = "oppositions"
        indexes = [models.Index(fields=["person", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"Opposition de {self.person} ({self.partner or 'tous les partenaires'})"


class LogEntry(models.Model):
    """One exchange, metadata only, chained to the previous entry by its hash.

    ``hash`` = SHA-256 over ``seq`` LF ``hash of seq − 1`` LF ``body`` (see ``chain.py``), where
    ``body`` is the canonical JSON of the metadata. Append-only."""

    seq = models.BigIntegerField("numéro", primary_key=True)
    hash = models.CharField("empreinte SHA-256", max_length=64)
    body = models.TextField("contenu (JSON canonique)")

    class Meta:
        verbose_name = "entrée du journal des échanges"
        verbose_name_plural = "journal des échanges"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"Entrée {self.seq}"


class LogHead(models.Model):
    """The head of the exchange log: the number and hash of its last entry, in one row.

    ``chain.append`` locks this row (``SELECT … FOR UPDATE``), writes the entry and moves the
    head in the same transaction: appends are strictly ordered, and no lookup of the last entry
    is needed. Kept equal to the last entry of ``LogEntry`` (recreated from it if missing)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField("dernière entrée")
    hash = models.CharField("son empreinte", max_length=64)

    class Meta:
        verbose_name = "tête du journal des échanges"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="loghead_one_row")]

    def __str__(self) -> str:
        return f"Tête du journal : entrée {self.seq}"


class ConfigStamp(models.Model):
    """A stamp that changes whenever a partner, a key, a scope or a purpose changes (database
    triggers, whatever wrote the change: an action, the admin, a migration, a raw query). The
    API's processes keep the partners' configuration in memory (``tokens.partner_config``) and
    read this stamp on every call: a different stamp, and the configuration is read again."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stamp = models.BigIntegerField("tampon")

    class Meta:
        verbose_name = "version de la configuration des partenaires"

    def __str__(self) -> str:
        return f"Configuration {self.stamp}"


class Checkpoint(models.Model):
    """A seal over the log: the hash of entry ``seq``, signed with Ed25519. Append-only."""

    number = models.BigIntegerField("numéro", primary_key=True)
    seq = models.BigIntegerField("dernière entrée scellée")
    entry_hash = models.CharField("empreinte de cette entrée", max_length=64)
    at = models.DateTimeField("scellé le")
    previous_signature = models.CharField("signature du point précédent", max_length=128)
    key_id = models.CharField("clé de scellement", max_length=64)
    signature = models.CharField("signature Ed25519", max_length=128)

    class Meta:
        verbose_name = "point de contrôle du journal"
        verbose_name_plural = "points de contrôle du journal"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Point de contrôle {self.number} (entrée {self.seq})"


class Outcome(models.TextChoices):
    DELIVERED = "delivered", "Données transmises"
    NO_DATA = "no_data", "Aucune donnée à transmettre"
    OBJECTION = "objection", "Refusé : opposition de la personne"
    NOT_CONCERNED = "not_concerned", "Refusé : personne hors de la finalité"


class AccessJournal(models.Model):
    """What a person sees in « Mes données »: who received which of their data, when and why.
    One row per access about a known person. Append-only."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="personne"
    )
    at = models.DateTimeField("le")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name="partenaire"
    )
    scope = models.ForeignKey(
        Scope, on_delete=models.PROTECT, related_name="+", verbose_name="périmètre"
    )
    fields = models.JSONField("données")
    period = models.CharField("période", max_length=40, blank=True)
    recipient = models.CharField("destinataire", max_length=64)
    outcome = models.CharField("résultat", max_length=20, choices=Outcome.choices)
    log_seq = models.BigIntegerField("entrée du journal des échanges")

    class Meta:
        verbose_name = "accès aux données d'une personne"
        verbose_name_plural = "accès aux données des personnes"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.partner} → {self.person}"


class UsedAssertion(models.Model):
    """Client assertions already used (their ``jti``), refused if presented again (RFC 7523)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "assertion client utilisée"
        verbose_name_plural = "assertions client utilisées"
        constraints = [
            models.UniqueConstraint(fields=["partner", "jti"], name="assertion_used_once")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.jti}"


class RateBucket(models.Model):
    """A token bucket per partner: ``tokens`` left at ``updated`` (seconds since the epoch)."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    tokens = models.FloatField()
    updated = models.FloatField()

    class Meta:
        verbose_name = "limite de débit"
        verbose_name_plural = "limites de débit"

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.tokens:.1f}"


# ---- Push and pull ----------------------------------------------------------------------------


class EventKind(models.TextChoices):
    DECLARATION_CONFIRMED = "declaration.confirmee", "Déclaration confirmée (ou corrigée)"
    CONTRACT_ENDED = "contrat.termine", "Contrat terminé"


class Subscription(models.Model):
    """A partner receives, for one of its scopes, the data of each event of one kind: pushed to
    its webhook (``push``) and, in any case, in its feed. Masked to the scope, like the API."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="subscriptions", verbose_name="partenaire"
    )
    scope = models.ForeignKey(
        Scope, on_delete=models.PROTECT, related_name="subscriptions", verbose_name="périmètre"
    )
    event = models.CharField("événement", max_length=40, choices=EventKind.choices)
    recipient = models.CharField(
        "destinataire (SIRET)",
        max_length=14,
        help_text="Le SIRET du service du partenaire qui reçoit ces données.",
    )
    push = models.BooleanField(
        "livrer au webhook",
        default=True,
        help_text="Sinon, les événements ne sont servis que par le flux (le partenaire interroge).",
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "abonnement"
        verbose_name_plural = "abonnements"
        ordering = ["partner", "event", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "event"], name="subscription_scope_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.partner.client_id} : {self.get_event_display()} ({self.scope.code})"


class Event(models.Model):
    """Something happened that partners subscribe to. References only: the data are read, and
    masked, when the event is delivered or served."""

    kind = models.CharField("événement", max_length=40, choices=EventKind.choices)
    occurred_at = models.DateTimeField("survenu le")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="+", verbose_name="contrat"
    )
    declaration = models.ForeignKey(
        Declaration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="déclaration",
    )
    version = models.ForeignKey(
        DeclarationVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="version de la déclaration",
    )

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "À livrer"
    DELIVERED = "delivered", "Livré"
    FAILED = "failed", "En échec"
    WITHHELD = "withheld", "Non transmis : opposition de la personne"
    CANCELLED = "cancelled", "Annulé"
    FEED = "feed", "Au flux seulement"


class OutboxMessage(models.Model):
    """The outbox: one event for one subscription, written with the state change. ``key`` is
    the idempotency key (the same at every attempt and in the feed); ``position`` its place in
    the partner's feed, given once the row is committed (``outbox.sequence``)."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="messages", verbose_name="événement"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="messages", verbose_name="abonnement"
    )
    key = models.UUIDField("clé d'idempotence", unique=True, default=uuid.uuid4, editable=False)
    position = models.BigIntegerField("position dans le flux", null=True, blank=True, unique=True)
    status = models.CharField(
        "état", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative")
    locked_until = models.DateTimeField("réservé jusqu'au", null=True, blank=True)
    locked_by = models.CharField("réservé par", max_length=64, blank=True)
    last_attempt_at = models.DateTimeField("dernière tentative", null=True, blank=True)
    last_status_code = models.PositiveIntegerField("dernier code HTTP", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    last_log_seq = models.BigIntegerField(
        "dernière entrée du journal des échanges", null=True, blank=True
    )
    delivered_at = models.DateTimeField("livré le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "livraison aux partenaires"
        verbose_name_plural = "livraisons aux partenaires (boîte d'envoi)"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Livraison {self.key}"

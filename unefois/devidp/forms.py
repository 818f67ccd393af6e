import datetime as dt
from typing import ClassVar

from django import forms

from .models import CreatedIdentity, Gender


class IdentityForm(forms.ModelForm):
    """A new test identity: what a newcomer types to "sign up" in development."""

    gender = forms.ChoiceField(label="Sexe", choices=Gender.choices, widget=forms.RadioSelect)

    class Meta:
        model = CreatedIdentity
        fields: ClassVar[list[str]] = ["given_name", "family_name", "birthdate", "gender", "email"]
        labels: ClassVar[dict[str, str]] = {
            "given_name": "Prénoms",
            "family_name": "Nom de naissance",
            "birthdate": "Date de naissance",
            "email": "Adresse électronique",
        }
        help_texts: ClassVar[dict[str, str]] = {
            "given_name": "Tous les prénoms, séparés par des espaces.",
            "birthdate": "Au format jj/mm/aaaa, par exemple 14/07/1990.",
        }
        widgets: ClassVar[dict] = {
            "birthdate": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        }
        error_messages: ClassVar[dict[str, dict[str, str]]] = {
            "given_name": {"required": "Indiquez au moins un prénom."},
            "family_name": {"required": "Indiquez le nom de naissance."},
            "birthdate": {
                "required": "Indiquez la date de naissance.",
                "invalid": "La date de naissance doit être une date, par exemple 14/07/1990.",
            },
            "email": {
                "required": "Indiquez une adresse électronique.",
                "invalid": "L'adresse électronique doit avoir la forme nom@exemple.fr.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].error_messages["required"] = "Indiquez le sexe."
        self.fields["birthdate"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field, beside the help text (Django adds aria-invalid).
        for name in self.errors:
            if name in self.fields and name != "gender":
                described = [f"id_{name}_helptext"] if self.fields[name].help_text else []
                described.append(f"id_{name}-erreur")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)

    def clean_birthdate(self):
        birthdate = self.cleaned_data["birthdate"]
        today = dt.date.today()
        if birthdate > today:
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
        if birthdate.year < 1900:
            raise forms.ValidationError("La date de naissance doit être après 1900.")
        return birthdate

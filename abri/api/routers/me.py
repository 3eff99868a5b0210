"""GET /api/v1/me: the customer's profile, contact details masked."""


from ninja import Field, Router, Schema

from abri.api.security import request_customer

router = Router(tags=["profil"])


class MeOut(Schema):
    customer_number: str = Field(description="Numéro client (8 caractères + clé ISO/IEC 7064 MOD 37-36).")
    civility: str
    first_name: str
    last_name: str
    full_name: str
    masked_email: str = Field(description="Adresse e-mail masquée, ex. « a•••@exemple.fr ».")
    masked_phone: str = Field(description="Téléphone masqué, ex. « •• •• •• 00 01 ».")
    preferred_language: str


@router.get("", response=MeOut, summary="Mon profil")
def me(request):
    """The authenticated customer's profile; e-mail and phone are masked as on the pages."""
    return request_customer(request)

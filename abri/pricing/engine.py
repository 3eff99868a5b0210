"""Validation of a quote request and its pricing: factors, options, taxes, surcharge, rounding to the cent.

Order of the computation (exact rational arithmetic on integers, rounded once at the end):
  formula premium = base(status, kind) × rooms × zone × ground floor × formula × deductible × claims
                    × contents × building capital (owners) × factor options (alarm)
  option premiums = flat amounts, per 1 000 € of valuables, or a percentage of the formula premium
  each guarantee's net premium = its weight's share of the formula premium (+ its options)
  Cat Nat surcharge = catnat_rate × net on property-damage guarantees
  instalment surcharge = frequency rate × net
  insurance tax (TSCA) = rate of the guarantee's tax class × (net + instalment surcharge): an accessory
                         of the premium is in the taxable base (CGI art. 991)
  total = net + Cat Nat + tax + terrorism contribution (FGTI, per contract) + instalment surcharge
Each total is rounded half-up to the cent once; each column of the breakdown is then allocated by
largest remainder so that it sums exactly to its total.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from abri.pricing.errors import NoTariffInForce, TariffValidationError
from abri.pricing.tariff import Tariff, tariff_in_force
from abri.pricing.types import Quote, QuoteLine, QuoteRequest, Referral

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
MAX_CAPITAL = Decimal(10_000_000)
MAX_OUTBUILDINGS_M2 = Decimal(2000)
MAX_BUILDING_CAPITAL = Decimal(100_000_000)


KIND_LABELS = {"apartment": "appartement", "house": "maison"}
STATUS_LABELS = {"tenant": "locataire", "owner": "propriétaire occupant", "pno": "propriétaire non occupant"}


def format_number(number: Decimal | int) -> str:
    """French display of a number: « 11 000 », « 6,50 » (cents shown only when there are some)."""
    number = Decimal(number)
    shown = number.quantize(ONE) if number == number.to_integral_value() else number.quantize(CENT)
    return f"{shown:,}".replace(",", "\u202f").replace(".", ",")


def format_euros(amount: Decimal | int) -> str:
    """French display of an amount: « 11 000 € », « 6,50 € »."""
    return format_number(amount) + "\u00a0€"


def _french_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " ou " + words[-1]


def _whole(value) -> int | None:
    """An int (not a bool), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _amount(value) -> Decimal | None:
    """A finite Decimal with at most two decimal places from an int or Decimal (never a float: money is
    exact), or None."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    if not number.is_finite() or (number and number.as_tuple().exponent < -2):
        return None
    return number


def resolve_tariff(request: QuoteRequest, tariff: Tariff | None = None) -> Tariff:
    """The tariff given, or the one in force at the request's effective date (errors on that field)."""
    if tariff is not None:
        return tariff
    effective = request.effective_date
    if not isinstance(effective, date) or isinstance(effective, datetime):
        raise TariffValidationError({"effective_date": "Indiquez une date d'effet valide."})
    try:
        return tariff_in_force(effective)
    except NoTariffInForce:
        raise TariffValidationError({"effective_date": (
            f"Aucun tarif n'est en vigueur au {effective:%d/%m/%Y} : choisissez une date d'effet plus récente."
        )}) from None


class _Checked:
    """The request's values once validated and normalised (Decimals, defaults applied)."""

    __slots__ = ("surface", "floor", "contents", "valuables", "deductible", "outbuildings", "options",
                 "building", "building_share")

    def __init__(self, surface, floor, contents, valuables, deductible, outbuildings, options, building=None,
                 building_share=None):
        self.building = building  # building capital (owners): declared, or computed from the surface
        self.building_share = building_share  # declared / computed rebuild value; None when computed
        self.surface = surface
        self.floor = floor
        self.contents = contents
        self.valuables = valuables
        self.deductible = deductible
        self.outbuildings = outbuildings
        self.options = options


def _check(request: QuoteRequest, t: Tariff) -> _Checked:
    errors: dict[str, str] = {}
    formula = t.formulas.get(request.formula) if isinstance(request.formula, str) else None
    if formula is None:
        errors["formula"] = ("Formule inconnue : choisissez "
                             + _french_list([f.label for f in t.formulas.values()]) + ".")
    kind = request.kind if isinstance(request.kind, str) and request.kind in KIND_LABELS else None
    if kind is None:
        errors["kind"] = "Type de logement inconnu : choisissez appartement ou maison."
    if not isinstance(request.occupant_status, str) or request.occupant_status not in STATUS_LABELS:
        errors["occupant_status"] = ("Statut d'occupation inconnu : choisissez locataire, propriétaire occupant "
                                     "ou propriétaire non occupant.")

    rooms = _whole(request.rooms)
    if rooms is None or not 1 <= rooms <= t.rooms_max:
        errors["rooms"] = f"Le nombre de pièces doit être un nombre entier entre 1 et {t.rooms_max}."
        rooms = None

    surface = _amount(request.surface_m2)
    if surface is None or surface < 1 or surface > t.max_surface_m2:
        errors["surface_m2"] = (f"La surface habitable doit être comprise entre 1 et "
                                f"{format_number(t.max_surface_m2)} m².")
        surface = None
    elif rooms is not None and surface < t.min_m2_per_room * rooms:
        errors["surface_m2"] = (f"Une surface de {format_number(surface)} m² paraît trop petite pour "
                                f"{rooms} pièces : vérifiez la surface et le nombre de pièces.")

    floor = None
    if kind == "apartment":
        floor = _whole(request.floor)
        if request.floor is None:
            errors["floor"] = "Indiquez l'étage de l'appartement (0 pour le rez-de-chaussée)."
        elif floor is None or not 0 <= floor <= t.max_floor:
            errors["floor"] = f"L'étage doit être un nombre entier entre 0 (rez-de-chaussée) et {t.max_floor}."
            floor = None

    zone = _whole(request.risk_zone)
    if zone is None or zone not in t.zone_factors:
        errors["risk_zone"] = f"La zone de risque doit être comprise entre 1 et {len(t.zone_factors)}."

    deductible = None
    if request.deductible is None:
        deductible = formula.default_deductible if formula else None
    else:
        deductible = _amount(request.deductible)
        if deductible is None or deductible not in t.deductible_factors:
            choices = [format_euros(d) for d in sorted(t.deductible_factors)]
            errors["deductible"] = f"Franchise non proposée : choisissez {_french_list(choices)}."
            deductible = None

    claims = _whole(request.claims_36_months)
    if claims is None or claims < 0:
        errors["claims_36_months"] = "Indiquez le nombre de sinistres des 36 derniers mois (0 ou plus)."
    elif claims > t.claims_max_plausible:
        errors["claims_36_months"] = (f"{claims} sinistres en 36 mois paraît impossible : vérifiez ce nombre "
                                      f"(au plus {t.claims_max_plausible}).")

    if not isinstance(request.payment_frequency, str) or request.payment_frequency not in t.frequencies:
        errors["payment_frequency"] = ("Fréquence de paiement inconnue : choisissez "
                                       + _french_list([f.label.lower() for f in t.frequencies.values()]) + ".")

    if not isinstance(request.effective_date, date) or isinstance(request.effective_date, datetime):
        errors["effective_date"] = "Indiquez une date d'effet valide."

    outbuildings = _amount(request.outbuildings_m2)
    if outbuildings is None or outbuildings < 0 or outbuildings > MAX_OUTBUILDINGS_M2:
        errors["outbuildings_m2"] = (f"La surface des dépendances doit être comprise entre 0 et "
                                     f"{format_number(MAX_OUTBUILDINGS_M2)} m².")
        outbuildings = None

    contents = None
    if request.contents_capital is not None:
        contents = _amount(request.contents_capital)
        if contents is None or contents < 0 or contents > MAX_CAPITAL:
            errors["contents_capital"] = "Le capital mobilier doit être un montant positif en euros."
            contents = None
        elif rooms is not None and contents > t.contents_ceiling(rooms):
            errors["contents_capital"] = (
                f"Le capital mobilier ne peut dépasser {format_euros(t.contents_ceiling(rooms))} pour "
                f"{rooms} pièce{'s' if rooms > 1 else ''}.")

    valuables = _amount(request.valuables_capital)
    if valuables is None or valuables < 0 or valuables > MAX_CAPITAL:
        errors["valuables_capital"] = "Le capital des objets de valeur doit être un montant positif en euros."
        valuables = None
    elif formula is not None and valuables > formula.valuables_ceiling:
        errors["valuables_capital"] = (
            f"Les objets de valeur sont assurés jusqu'à {format_euros(formula.valuables_ceiling)} avec la formule "
            f"{formula.label}" + _higher_ceiling_hint(t, valuables) + ".")

    options = request.options
    option_errors: list[str] = []
    if not isinstance(options, frozenset) or not all(isinstance(code, str) for code in options):
        option_errors.append("Liste d'options invalide.")
        options = frozenset()
    # In the tariff's order, so that the result never depends on the order the options were ticked in.
    selected = tuple(option for option in t.options.values() if option.code in options) if options else ()
    if len(selected) != len(options):
        unknown = sorted(code for code in options if code not in t.options)
        option_errors.append(f"Option inconnue : {', '.join(unknown)}.")
    valuables_option = False
    for option in selected:
        if formula is not None and formula.code in option.included_in:
            option_errors.append(f"« {option.label} » est déjà comprise dans la formule {formula.label}.")
        elif formula is not None and formula.code not in option.available_in:
            offered = [t.formulas[c].label for c in option.available_in]
            option_errors.append(f"L'option « {option.label} » n'est pas proposée avec la formule {formula.label}"
                                 + (f" : choisissez la formule {_french_list(offered)}." if offered else "."))
        if option.requires == "has_garden" and request.has_garden is not True:
            option_errors.append(f"L'option « {option.label} » suppose que le logement a un jardin.")
        elif option.requires == "has_pool" and request.has_pool is not True:
            option_errors.append(f"L'option « {option.label} » suppose que le logement a une piscine.")
        elif option.requires == "outbuildings" and outbuildings is not None \
                and outbuildings <= option.threshold_m2:
            option_errors.append(f"Des dépendances de {format_number(option.threshold_m2)} m² ou moins sont "
                                 f"couvertes sans l'option « {option.label} ».")
        elif option.requires == "valuables_capital":
            valuables_option = True
            if valuables is not None and valuables <= 0 and "valuables_capital" not in errors:
                errors["valuables_capital"] = (f"Indiquez la valeur de vos objets de valeur pour l'option "
                                               f"« {option.label} ».")
    if valuables is not None and valuables > 0 and not valuables_option and "valuables_capital" not in errors:
        per_thousand = [o for o in t.options.values() if o.requires == "valuables_capital"]
        errors["valuables_capital"] = (
            f"Ajoutez l'option « {per_thousand[0].label} » pour assurer ce capital." if per_thousand
            else "Ce tarif n'assure pas les objets de valeur : laissez ce capital à 0.")
    if option_errors:
        errors["options"] = " ".join(option_errors)

    building, building_share = _check_building(request, t, kind, surface, errors)

    if errors:
        raise TariffValidationError(errors)
    return _Checked(surface, floor, contents, valuables, deductible, outbuildings, selected, building, building_share)


def _check_building(request: QuoteRequest, t: Tariff, kind: str | None, surface: Decimal | None,
                    errors: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    """Owners insure the building at rebuild value: the declared capital, or one computed from the surface."""
    status = request.occupant_status
    declared = request.building_capital
    if not isinstance(status, str) or status not in STATUS_LABELS:
        return None, None
    if not t.insures_building(status):
        if declared not in (None, 0):
            errors["building_capital"] = ("Un locataire assure ses biens et sa responsabilité locative, pas le "
                                          "bâtiment : laissez le capital bâtiment vide.")
        return None, None
    if kind is None or surface is None:
        return None, None
    computed = t.rebuild_value(kind, surface)
    if declared is None:
        return computed, None
    amount = _amount(declared)
    if amount is None or amount <= 0 or amount > MAX_BUILDING_CAPITAL:
        errors["building_capital"] = "Le capital bâtiment doit être un montant positif en euros."
        return None, None
    share = amount / computed
    if share < t.building_min_share:
        lowest = (computed * t.building_min_share).quantize(ONE)
        errors["building_capital"] = (
            f"Le capital bâtiment doit couvrir la valeur de reconstruction à neuf : au moins {format_euros(lowest)} "
            f"pour {format_number(surface)} m² (estimation {format_euros(computed)}).")
        return None, None
    if share > t.building_max_share:
        errors["building_capital"] = (
            f"Un capital bâtiment de plus de {format_euros((computed * t.building_max_share).quantize(ONE))} pour "
            f"{format_number(surface)} m² est à étudier par un conseiller.")
        return None, None
    return amount, share


def _higher_ceiling_hint(t: Tariff, valuables: Decimal) -> str:
    for formula in t.formulas.values():
        if formula.valuables_ceiling >= valuables:
            return (f" : choisissez la formule {formula.label} (jusqu'à "
                    f"{format_euros(formula.valuables_ceiling)}) ou déclarez un capital plus bas")
    return " : au-delà, un conseiller peut étudier une garantie spécifique"


def validate(request: QuoteRequest, tariff: Tariff | None = None) -> Tariff:
    """Check a request; raise TariffValidationError (field -> French message) or return the tariff that applies."""
    t = resolve_tariff(request, tariff)
    _check(request, t)
    return t


def quote(request: QuoteRequest, tariff: Tariff | None = None) -> Quote | Referral:
    """Price a request with the given tariff, or the one in force at its effective date.

    Raises TariffValidationError for invalid input; returns a Referral when an advisor must study it.
    """
    t = resolve_tariff(request, tariff)
    checked = _check(request, t)
    claims = request.claims_36_months
    if claims >= t.claims_refer_from:
        return Referral(code="claims_history", tariff_version=t.version, reason=(
            f"Votre demande est à étudier par un conseiller : {claims} sinistres déclarés au cours des 36 derniers "
            f"mois (à partir de {t.claims_refer_from}, nous ne pouvons pas proposer de tarif en ligne). "
            "Un conseiller vous recontacte pour vous faire une proposition."))
    return _price(request, t, checked)


def _price(request: QuoteRequest, t: Tariff, checked: _Checked) -> Quote:
    # Exact rational arithmetic on Python ints (numerator, denominator): no rounding until the cents.
    lookups = t.lookups
    kind = request.kind
    status = request.occupant_status
    formula = t.formulas[request.formula]
    rooms = request.rooms
    num, den = lookups.base[(status, kind)]

    surface = request.surface_m2
    per_room_num, per_room_den = lookups.m2_per_rated_room
    if isinstance(surface, int):
        rated_rooms = -(-(surface * per_room_den) // per_room_num)  # ceil(surface / m2 per rated room)
    else:
        surface_num, surface_den = checked.surface.as_integer_ratio()
        rated_rooms = -(-(surface_num * per_room_den) // (surface_den * per_room_num))
    rooms_factor, factor_num, factor_den = lookups.rooms[kind][max(rooms, rated_rooms)]
    num *= factor_num
    den *= factor_den
    factor_num, factor_den = lookups.zones[request.risk_zone]
    num *= factor_num
    den *= factor_den
    if checked.floor == 0:
        factor_num, factor_den = lookups.ground_floor
        num *= factor_num
        den *= factor_den
    factor_num, factor_den = lookups.formulas[formula.code]
    num *= factor_num
    den *= factor_den
    factor_num, factor_den = lookups.deductibles[checked.deductible]
    num *= factor_num
    den *= factor_den
    factor_num, factor_den = lookups.claims[request.claims_36_months]
    num *= factor_num
    den *= factor_den
    contents_factor = ONE
    if checked.contents is not None:
        for highest, band_factor, factor_num, factor_den in lookups.contents[rooms]:
            if checked.contents <= highest:
                contents_factor = band_factor
                num *= factor_num
                den *= factor_den
                break
    building_factor = ONE
    if checked.building_share is not None:
        for highest, band_factor, factor_num, factor_den in lookups.building_bands:
            if checked.building_share <= highest:
                building_factor = band_factor
                num *= factor_num
                den *= factor_den
                break
    factors = [("base", t.base_premiums[(status, kind)]), ("rooms", rooms_factor),
               ("zone", t.zone_factors[request.risk_zone]),
               ("ground_floor", t.ground_floor_factor if checked.floor == 0 else ONE), ("formula", formula.factor),
               ("deductible", t.deductible_factors[checked.deductible]),
               ("claims", t.claims_factors[request.claims_36_months]), ("contents", contents_factor)]
    if checked.building is not None:
        factors.append(("building", building_factor))
    option_amounts: dict[str, tuple[int, int]] = {}
    if checked.options:
        for option in checked.options:
            if option.pricing == "factor":
                factor_num, factor_den = lookups.options[option.code]
                num *= factor_num
                den *= factor_den
                factors.append((option.code, option.amount))
        for option in checked.options:
            amount_num, amount_den = lookups.options[option.code]
            if option.pricing == "per_thousand":
                valuables_num, valuables_den = checked.valuables.as_integer_ratio()
                amount_num *= valuables_num
                amount_den *= valuables_den * 1000
            elif option.pricing == "percent":
                amount_num *= num
                amount_den *= den
            elif option.pricing != "flat":
                continue
            if option.guarantee in option_amounts:  # e.g. garden and pool share one guarantee
                before_num, before_den = option_amounts[option.guarantee]
                amount_num, amount_den = before_num * amount_den + amount_num * before_den, before_den * amount_den
            option_amounts[option.guarantee] = (amount_num, amount_den)

    shares = t.lines[(formula.code, status)]
    templates, covered = shares.templates, shares.covered
    denominator = den * shares.total_weight
    for _, amount_den in option_amounts.values():
        denominator = math.lcm(denominator, amount_den)
    # Line i's net premium in cents is nets[i] / denominator; rates are integers over r.
    premium_cents = num * 100 * (denominator // (den * shares.total_weight))
    r = t.rate_scale
    frequency = t.frequencies[request.payment_frequency]
    surcharge = t.surcharges[frequency.code]
    # The insurance tax applies to the net premium and its instalment surcharge: (r + surcharge) / r.
    taxed = r + surcharge
    nets = [premium_cents * weight for weight in shares.net]
    catnats = [premium_cents * weight for weight in shares.catnat]
    taxes = [premium_cents * weight * taxed for weight in shares.tax]
    if surcharge:
        premium_surcharge = premium_cents * surcharge
        surcharges = [premium_surcharge * weight for weight in shares.net]
    if option_amounts:
        for code, (amount_num, amount_den) in option_amounts.items():
            template = t.option_lines[code]
            amount_cents = amount_num * 100 * (denominator // amount_den)
            nets.append(amount_cents)
            catnats.append(amount_cents * template.catnat)
            taxes.append(amount_cents * template.tax * taxed)
            if surcharge:
                surcharges.append(amount_cents * surcharge)
        templates = templates + tuple(t.option_lines[code] for code in option_amounts)

    net_cents = _allocate(nets, denominator)
    catnat_cents = _allocate(catnats, denominator * r)
    tax_cents = _allocate(taxes, denominator * r * r)
    surcharge_cents = _allocate(surcharges, denominator * r) if surcharge else [0] * len(nets)
    terrorism_cents = lookups.terrorism_cents

    euros = _EUROS
    new_line = tuple.__new__  # QuoteLine's own __new__ is a Python frame: skipped in this hot loop
    lines = tuple([
        new_line(QuoteLine, (template.code, template.label, euros[n], euros[c], euros[x], euros[s], euros[n + c + x + s]))
        for template, n, c, x, s in zip(templates, net_cents, catnat_cents, tax_cents, surcharge_cents, strict=True)])
    total_net, total_catnat, total_tax, total_surcharge = (
        sum(net_cents), sum(catnat_cents), sum(tax_cents), sum(surcharge_cents))
    total = total_net + total_catnat + total_tax + total_surcharge + terrorism_cents
    count = frequency.instalments
    regular = total // count
    return Quote(
        tariff_version=t.version, effective_date=request.effective_date, formula=formula.code,
        payment_frequency=frequency.code, deductible=checked.deductible,
        net_premium=euros[total_net], catnat_surcharge=euros[total_catnat], insurance_tax=euros[total_tax],
        terrorism_contribution=euros[terrorism_cents], instalment_surcharge=euros[total_surcharge],
        total_annual=euros[total], instalment_count=count, instalment_amount=euros[regular],
        first_instalment_amount=euros[total - regular * (count - 1)], lines=lines,
        covered=covered + tuple(code for code in option_amounts if code not in covered) if option_amounts
        else covered,
        factors=tuple(factors), building_capital=checked.building)


class _Euros(dict):
    """Cents -> Decimal euros with two places; common amounts are built once (a dict lookup afterwards)."""

    def __missing__(self, cents: int) -> Decimal:
        amount = Decimal(cents).scaleb(-2)
        if -100_000 < cents < 100_000:
            self[cents] = amount
        return amount


_EUROS = _Euros()


def _allocate(numerators: list[int], quotient: int) -> list[int]:
    """Whole cents per line for exact amounts numerator / quotient (cents, non-negative).

    The exact total is rounded half-up once; the cents are shared by largest remainder (ties: first line),
    so that the lines sum exactly to the rounded total.
    """
    cents = [numerator // quotient for numerator in numerators]
    missing = (2 * sum(numerators) + quotient) // (2 * quotient) - sum(cents)
    if missing:
        remainders = [numerator % quotient for numerator in numerators]
        # A stable sort: among equal remainders, the first line gets the cent first.
        order = sorted(range(len(cents)), key=remainders.__getitem__, reverse=True)
        for turn in range(missing):
            cents[order[turn % len(order)]] += 1
    return cents

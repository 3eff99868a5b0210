"""SEPA files without the database: IBAN checks, mandate references, the pain.008 collection file and the
bank's files read back (pain.002 and camt.054 returns, camt.053 statements).

Everything here is pure: the services in abri.billing.services decide what to collect and what a line means.
XML from the bank is parsed by lxml with entities and network access disabled (a statement is untrusted input).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import sepaxml
from django.utils.translation import gettext as _
from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, InvalidCountryCode, InvalidLength, SchwiftyException
from sepaxml import SepaDD
from stdnum import iso11649
from stdnum.eu import at_02
from text_unidecode import unidecode

# The 2019 version required by the EPC rulebook since November 2023; sepaxml ships its XSD.
PAIN_008_SCHEMA = "pain.008.001.08"
SCHEMA_DIR = Path(sepaxml.__file__).resolve().parent / "schemas"
_ATTRIBUTE_ENTITIES = {'"': "&quot;"}
_RF_IN_TEXT = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")


class SepaError(ValueError):
    """Input a person must fix, with its message in French."""


# --- Accounts -----------------------------------------------------------------------------------

def iban_clean(value: str) -> IBAN:
    """A typed IBAN, checked: structure, checksum and a country of the SEPA zone; SepaError in French otherwise."""
    compact = re.sub(r"[\s.-]", "", value or "").upper()
    if not compact:
        raise SepaError(_("Saisissez l'IBAN du compte à prélever."))
    try:
        iban = IBAN(compact)
    except InvalidCountryCode as exc:
        raise SepaError(_("Cet IBAN ne commence pas par un code pays connu (FR76… pour un compte en France).")) from exc
    except InvalidChecksumDigits as exc:
        raise SepaError(_("Cet IBAN n'est pas valide : la clé de contrôle ne correspond pas. "
                          "Vérifiez chaque caractère sur votre RIB.")) from exc
    except InvalidLength as exc:
        raise SepaError(_("Cet IBAN n'a pas la bonne longueur : un IBAN français compte 27 caractères.")) from exc
    except SchwiftyException as exc:
        raise SepaError(_("Cet IBAN n'est pas valide : vérifiez les caractères saisis.")) from exc
    if not iban.in_sepa_zone:
        raise SepaError(_("Le prélèvement SEPA n'est possible que depuis un compte de la zone SEPA "
                          "(Union européenne, Royaume-Uni, Suisse, Norvège…)."))
    return iban


def bic_clean(value: str, *, iban: IBAN) -> str:
    """An optional BIC, checked against the IBAN's country; else the BIC schwifty knows for the bank, or ""."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not compact:
        return str(iban.bic or "")
    try:
        bic = BIC(compact)
    except SchwiftyException as exc:
        raise SepaError(_("Ce BIC n'est pas valide : 8 ou 11 caractères, par exemple BNPAFRPPXXX.")) from exc
    if bic.country_code != iban.country_code and not (iban.country_code == "FR" and bic.country_code in FR_TERRITORIES):
        raise SepaError(_("Ce BIC est celui d'une banque d'un autre pays que l'IBAN : vérifiez-le.")) from None
    return str(bic)


# French overseas territories use FR IBANs but may have their own BIC country code.
FR_TERRITORIES = {"FR", "GP", "GF", "MQ", "RE", "YT", "PM", "BL", "MF", "MC", "NC", "PF", "WF"}


def iban_masked(iban: str) -> str:
    """« FR76 •••• •••• 0189 »: the country and check digits, then the last 4 characters only."""
    compact = iban.replace(" ", "")
    return f"{compact[:4]} •••• •••• {compact[-4:]}"


def creditor_id_clean(value: str) -> str:
    """The configured creditor identifier (ICS), validated (ISO 7064 mod 97-10, AT-02)."""
    return at_02.validate(value)


def mandate_reference_new(*, customer_number: str, on: date) -> str:
    """A new unique mandate reference (RUM): ≤ 35 characters of the SEPA character set, never reused."""
    return f"ABRI-{customer_number}-{on:%Y%m%d}-{secrets.token_hex(4).upper()}"


# --- Amounts ------------------------------------------------------------------------------------

def amount_parse(text: str) -> Decimal:
    """An amount written in a bank file: a positive number of euros with at most 2 decimals."""
    try:
        amount = Decimal((text or "").strip())
    except InvalidOperation as exc:
        raise SepaError(_("Montant illisible : « %(text)s ».") % {"text": (text or "")[:20]}) from exc
    if not amount.is_finite() or amount <= 0:
        raise SepaError(_("Montant invalide : « %(text)s ».") % {"text": text[:20]})
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise SepaError(_("Montant invalide : « %(text)s » a plus de deux décimales (les euros se comptent "
                          "au centime).") % {"text": text[:20]})
    return amount.quantize(Decimal("0.01"))


# --- pain.008 -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Debit:
    """One debit of a collection file."""

    end_to_end_id: str
    amount: Decimal
    sequence: str  # FRST or RCUR
    mandate_reference: str
    mandate_signed_on: date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str
    description: str


def pain008_build(*, debits: list[Debit], due_date: date, creditor_name: str, creditor_iban: str,
                  creditor_bic: str, creditor_id: str) -> tuple[bytes, str]:
    """The pain.008 file of one due date (one payment block per sequence type), XSD-validated; and its MsgId."""
    config = {"name": creditor_name, "IBAN": creditor_iban, "batch": True, "creditor_id": creditor_id,
              "currency": "EUR"}
    if creditor_bic:
        config["BIC"] = creditor_bic
    config["name"] = _sepa_text(creditor_name, 70)
    # clean=False: sepaxml would transliterate every name and label character by character (a quarter of the
    # run for 100 000 debits); _sepa_text does it only for the text that is not plain ASCII.
    document = _SepaDD(config, schema=PAIN_008_SCHEMA, clean=False)
    for debit in debits:
        if debit.amount != debit.amount.quantize(Decimal("0.01")) or debit.amount <= 0:
            raise SepaError(_("Montant invalide pour le prélèvement %(id)s.") % {"id": debit.end_to_end_id})
        payment = {"name": _sepa_text(debit.debtor_name, 70), "IBAN": debit.debtor_iban,
                   "amount": int(debit.amount * 100), "type": debit.sequence, "collection_date": due_date,
                   "mandate_id": debit.mandate_reference, "mandate_date": debit.mandate_signed_on,
                   "description": _sepa_text(debit.description, 140),
                   "endtoend_id": debit.end_to_end_id}
        if debit.debtor_bic:
            payment["BIC"] = debit.debtor_bic
        document.add_payment(payment)
    xml = document.export_fast()
    xsd_validate(xml)
    return xml, document.msg_id


def _sepa_text(text: str, length: int) -> str:
    """Text in the SEPA character set (Latin letters without accents): « Élodie » becomes « Elodie »."""
    if not text.isascii():
        text = unidecode(text)
    return text[:length]


class _SepaDD(SepaDD):
    """sepaxml's direct-debit file, serialised without ElementTree's Python writer.

    sepaxml builds the tree (its field mapping and sequence-type batches are what we want); ElementTree's
    serialiser then wrote 100 000 debits in 20 s, two thirds of the whole file. Its tree has no namespaced
    tags and no tails, so a list of strings does the same in a fraction of the time (bench/bench_sepa.py).
    """

    def export_fast(self) -> bytes:
        self._finalize_batch()
        total = sum(Decimal(node.text) for node in self._xml.iter("CtrlSum") if node.text)
        count = sum(int(node.text) for node in self._xml.iter("NbOfTxs") if node.text)
        header = self._xml.find(self.root_el).find("GrpHdr")
        header.find("CtrlSum").text = f"{total:.2f}"
        header.find("NbOfTxs").text = str(count)
        out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
        _serialise(self._xml, out)
        return "".join(out).encode()


def _serialise(root, out: list[str]) -> None:
    append = out.append

    def escape(text: str) -> str:
        if "&" in text or "<" in text or ">" in text:
            return xml_escape(text)
        return text

    def walk(element) -> None:
        tag = element.tag
        start = tag
        if element.attrib:
            start += "".join(f' {k}="{xml_escape(v, _ATTRIBUTE_ENTITIES)}"' for k, v in element.attrib.items())
        text = element.text
        if len(element):
            append(f"<{start}>{escape(text) if text else ''}")
            for child in element:
                walk(child)
            append(f"</{tag}>")
        elif text is None:
            append(f"<{start}/>")
        else:
            append(f"<{start}>{escape(text)}</{tag}>")

    walk(root)


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / f"{name}.xsd")))


def declared_schema(xml: bytes) -> str:
    """The message version a file declares in its namespace (urn:iso:std:iso:20022:tech:xsd:pain.008.001.08)."""
    root = etree.fromstring(xml, _parser())
    return etree.QName(root).namespace.rsplit(":", 1)[-1]


def xsd_validate(xml: bytes) -> str:
    """Validate a file against the XSD of the version it declares (lxml/libxml2: fast on 100 000 debits)."""
    document = etree.fromstring(xml, _parser())
    name = (etree.QName(document).namespace or "").rsplit(":", 1)[-1]
    if not re.fullmatch(r"pain\.\d{3}\.\d{3}\.\d{2}", name) or not (SCHEMA_DIR / f"{name}.xsd").exists():
        raise SepaError(f"no XSD for {name!r}")
    schema = _schema(name)
    if not schema.validate(document):
        raise SepaError(f"{name} XSD: {schema.error_log.last_error}")
    return name


# --- Bank files read back -----------------------------------------------------------------------

def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)


def _text(element, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def bank_file_parse(data: bytes):
    """The root of a bank XML file and its message name (pain.002, camt.053, camt.054)."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise SepaError(_("Ce fichier n'est pas un XML lisible : %(error)s") % {"error": exc}) from exc
    namespace = etree.QName(root).namespace or ""
    message = namespace.rsplit(":", 1)[-1]
    return root, message


@dataclass(frozen=True)
class DebitReturn:
    """A returned or rejected debit (R-transaction): which debit, and the bank's reason code."""

    end_to_end_id: str
    reason: str
    message_id: str = ""  # a whole file rejected: every debit of that message


def returns_read(data: bytes) -> list[DebitReturn]:
    """The rejected debits in a pain.002 status report or the returned ones in a camt.054 notification."""
    root, message = bank_file_parse(data)
    found: list[DebitReturn] = []
    if message.startswith("pain.002"):
        report = root.find("{*}CstmrPmtStsRpt")
        group = report.find("{*}OrgnlGrpInfAndSts") if report is not None else None
        if _text(group, "{*}GrpSts") == "RJCT":
            found.append(DebitReturn(end_to_end_id="", reason=_text(group, "{*}StsRsnInf/{*}Rsn/{*}Cd"),
                                     message_id=_text(group, "{*}OrgnlMsgId")))
        for tx in root.iterfind(".//{*}TxInfAndSts"):
            if _text(tx, "{*}TxSts") == "RJCT":
                found.append(DebitReturn(end_to_end_id=_text(tx, "{*}OrgnlEndToEndId"),
                                         reason=_text(tx, "{*}StsRsnInf/{*}Rsn/{*}Cd")))
    elif message.startswith("camt.054") or message.startswith("camt.053"):
        for tx in root.iterfind(".//{*}Ntry/{*}NtryDtls/{*}TxDtls"):
            if tx.find("{*}RtrInf") is None:
                continue
            found.append(DebitReturn(end_to_end_id=_text(tx, "{*}Refs/{*}EndToEndId"),
                                     reason=_text(tx, "{*}RtrInf/{*}Rsn/{*}Cd")))
    else:
        raise SepaError(_("Ce fichier n'est ni un pain.002 ni un camt.054 (message « %(name)s »).")
                        % {"name": message or "?"})
    return found


@dataclass(frozen=True)
class StatementCredit:
    """A credit (incoming transfer) booked on the insurer's account, as the statement gives it."""

    entry_reference: str
    statement_id: str
    booking_date: date
    amount_text: str
    currency: str
    reference: str  # the ISO 11649 RF reference, when the payer gave one
    remittance: str
    debtor_name: str


def _rf_reference(tx) -> tuple[str, str]:
    structured = _text(tx, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref")
    unstructured = " ".join((u.text or "").strip() for u in tx.iterfind("{*}RmtInf/{*}Ustrd"))[:140]
    for candidate in [structured, *_RF_IN_TEXT.findall(re.sub(r"\s", "", unstructured.upper()))]:
        compact = re.sub(r"\s", "", candidate).upper()
        if compact and iso11649.is_valid(compact):
            return compact, unstructured
    return structured, unstructured


def statement_read(data: bytes) -> list[StatementCredit]:
    """The booked credits of a camt.053 statement (debits and pending entries are not the portal's business)."""
    root, message = bank_file_parse(data)
    if not message.startswith("camt.053"):
        raise SepaError(_("Ce fichier n'est pas un relevé camt.053 (message « %(name)s »).") % {"name": message or "?"})
    credits: list[StatementCredit] = []
    for statement in root.iterfind(".//{*}Stmt"):
        statement_id = _text(statement, "{*}Id")
        for entry in statement.iterfind("{*}Ntry"):
            status = _text(entry, "{*}Sts") or _text(entry, "{*}Sts/{*}Cd")
            if _text(entry, "{*}CdtDbtInd") != "CRDT" or status != "BOOK" or _text(entry, "{*}RvslInd") == "true":
                continue
            amount = entry.find("{*}Amt")
            entry_ref = _text(entry, "{*}NtryRef") or _text(entry, "{*}AcctSvcrRef")
            booked = _text(entry, "{*}BookgDt/{*}Dt") or _text(entry, "{*}BookgDt/{*}DtTm")[:10]
            details = list(entry.iterfind("{*}NtryDtls/{*}TxDtls"))
            for index, tx in enumerate(details or [entry]):
                tx_amount = tx.find("{*}Amt") if tx is not entry else None
                source = tx_amount if tx_amount is not None else amount
                key = _text(tx, "{*}Refs/{*}AcctSvcrRef") if tx is not entry else ""
                if not key:
                    key = entry_ref if len(details) <= 1 else f"{entry_ref}#{index + 1}"
                if not key:
                    raise SepaError(_("Une écriture du relevé %(id)s n'a pas de référence bancaire : import refusé.")
                                    % {"id": statement_id})
                reference, remittance = _rf_reference(tx)
                credits.append(StatementCredit(
                    entry_reference=key[:64], statement_id=statement_id[:64],
                    booking_date=date.fromisoformat(booked), amount_text=(source.text or "").strip(),
                    currency=source.get("Ccy", ""), reference=reference[:64], remittance=remittance,
                    debtor_name=(_text(tx, "{*}RltdPties/{*}Dbtr/{*}Nm")
                                 or _text(tx, "{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm"))[:140]))
    return credits

"""A plain-language "how to fix" line for every rule, for the people who correct the records.

Written per category from the rule's own fields and message, so every rule has one; a few of
the most frequent rules get a line of their own.
"""
from __future__ import annotations

from .registry import RuleVersion

FIELD_NAMES = {
    "CHILD": "child ID", "SEX": "sex", "DOB": "date of birth", "ETHNIC": "ethnicity", "UPN": "UPN",
    "MOTHER": "mother indicator", "MC_DOB": "date of birth of the mother's child", "DECOM": "episode start date",
    "RNE": "reason for new episode", "LS": "legal status", "CIN": "category of need", "PLACE": "placement type",
    "PLACE_PROVIDER": "placement provider", "DEC": "episode end date", "REC": "reason episode ceased",
    "REASON_PLACE_CHANGE": "reason for placement change", "HOME_POST": "home postcode",
    "PL_POST": "placement postcode", "URN": "Ofsted URN", "REVIEW": "review date", "REVIEW_CODE": "participation code",
    "DUC": "date UASC status ceased", "MIS_START": "missing period start", "MIS_END": "missing period end",
    "MISSING": "missing/away code", "SW_ID": "social worker ID", "SW_DECOM": "social worker episode start",
    "SW_DEC": "social worker episode end", "SW_REASON": "reason for social worker change",
    "DATE_PLACED": "date placed for adoption", "DATE_PLACED_CEASED": "date placement for adoption ceased",
    "DOLO_START": "DoLO start date", "DOLO_END": "DoLO end date", "IN_TOUCH": "in touch code",
    "ACTIV": "activity code", "ACCOM": "accommodation code", "UASC": "UASC indicator",
    "SDQ_SCORE": "SDQ score", "SDQ_REASON": "reason for no SDQ score", "CONVICTED": "convicted indicator",
    "HEALTH_CHECK": "health check indicator", "IMMUNISATIONS": "immunisations indicator",
    "TEETH_CHECK": "teeth check indicator", "HEALTH_ASSESSMENT": "health assessment indicator",
    "SUBSTANCE_MISUSE": "substance misuse indicator", "INTERVENTION_RECEIVED": "intervention received indicator",
    "INTERVENTION_OFFERED": "intervention offered indicator", "DATE_INT": "date of the decision to place for adoption",
    "DATE_MATCH": "date matched with adopters", "FOSTER_CARE": "foster carer adoption indicator",
    "NB_ADOPTR": "number of adopters", "SEX_ADOPTR": "sex of adopters", "LS_ADOPTR": "legal status of adopters",
    "REASON_PLACED_CEASED": "reason placement for adoption ceased", "PREV_PERM": "previous permanence code",
    "LA_PERM": "LA of previous permanence", "DATE_PERM": "date of previous permanence",
    "PL_LA": "placement LA (from the placement postcode)", "PL_DISTANCE": "placement distance (from the postcodes)",
    "PL_LOCATION": "placement location (from the placement postcode)", "PLACEMENT": "placement type",
}

BY_CATEGORY = {
    "invalid_code": "Correct the {fields} on this record: it must be one of the DfE codes for {year} "
                    "(lac-validator explain {code} lists them).",
    "invalid_date": "Correct the {fields} on this record: it must be a real date written dd/mm/yyyy.",
    "missing": "Record the {fields}: the DfE needs it for this child (see the message for when).",
    "date_order": "Check the {fields} against the child's other dates and correct whichever is wrong.",
    "overlap": "Check the start and end dates of this record and the one before it: they must not overlap.",
    "cross_year": "Compare with last year's return: the {fields} must continue from what was submitted then; "
                  "correct whichever year is wrong.",
    "consistency": "Check the {fields} together with the child's other records and correct what disagrees.",
    "reference": "Check the {fields} against the postcode directory / Ofsted provider list and correct it.",
}

OWN_LINES = {
    "225": "Enter the reason for the placement change on this episode (the next episode changes placement).",
    "502": "Make this year's first episode start on the same date as last year's open episode, or correct last year's.",
    "503A": "Make the first episode's reason for new episode match last year's open episode.",
    "501": "Correct the start date of this episode or the end date of the one before: they overlap.",
}


def how_to_fix(rule: RuleVersion, year_label: str) -> str:
    if rule.code in OWN_LINES:
        return OWN_LINES[rule.code]
    names = [FIELD_NAMES.get(f, f) for f in rule.fields] or ["highlighted fields"]
    fields = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    category = rule.category
    if category == "invalid_code" and rule.fields and all(_is_date(f) for f in rule.fields):
        category = "invalid_date"
    template = BY_CATEGORY.get(category, BY_CATEGORY["consistency"])
    return template.format(fields=fields, code=rule.code, year=year_label)


def _is_date(field: str) -> bool:
    from .schema import load_schema

    return any(field in t.fields and t.fields[field].is_date for t in load_schema().tables.values())

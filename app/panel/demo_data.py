"""Demo data for the expert panel: members from all four regions (one with a login) and two
referrals, one from a local trust reviewed with the regional hospital and assigned to two members
and a co-opted expert. All patients are synthetic."""
from datetime import date, timedelta

from app.panel import services
from app.panel.commands import MemberDetails, NewExpert, NewReferral

MEMBERS = [
    ("Pia Panelmedlem", "Onkologi", "Haukeland universitetssjukehus", "helse-vest"),
    ("Olav Onkolog", "Onkologi", "Oslo universitetssykehus", "helse-sor-ost"),
    ("Nina Nevrolog", "Nevrologi", "St. Olavs hospital", "helse-midt-norge"),
    ("Trond Tromsø", "Kirurgi", "Universitetssykehuset Nord-Norge", "helse-nord"),
]


def load_panel_demo(secretary, member_user, national_id_for, today: date) -> int:
    """Register the members and referrals through the services; returns the number of cases."""
    members = [services.save_member(None, MemberDetails(
        name=name, specialty=specialty, hospital=hospital, appointing_region=region, term_start=date(2024, 1, 1),
        term_end=date(2027, 12, 31), active=True, user_id=member_user.id if name == member_user.name else None),
        actor=secretary) for name, specialty, hospital, region in MEMBERS]
    local = services.register_referral(NewReferral(
        national_id=national_id_for(date(1971, 5, 5)), patient_name="Hanne Hagen", birth_date=None,
        municipality="1508 Ålesund", home_region="helse-midt-norge", referring_trust="Helse Møre og Romsdal HF",
        referring_department="Kreftavdelingen, Ålesund sjukehus", referring_doctor="Overlege Lise Lund",
        referred_on=today - timedelta(days=5), from_regional_hospital=False,
        regional_review_by="Kreftklinikken, St. Olavs hospital", regional_review_on=today - timedelta(days=9),
        icd10="C56", condition="Residiverende eggstokkreft med spredning til bukhinnen",
        treatments_tried="Tre linjer platinumbasert kjemoterapi og PARP-hemmer uten varig effekt",
        question="Finnes det kliniske studier i Norden eller off-label behandling med dokumentert effekt?"),
        actor=secretary)
    services.assign_member(local, members[0], actor=secretary)
    services.assign_member(local, members[2], actor=secretary)
    services.add_expert(local, NewExpert(name="Professor Gro Gyn", specialty="Gynekologisk onkologi",
                                         hospital="Radiumhospitalet"), actor=secretary)
    services.register_referral(NewReferral(
        national_id=national_id_for(date(1988, 12, 12)), patient_name="Erik Eriksen", birth_date=None,
        municipality="5501 Tromsø", home_region="helse-nord", referring_trust="Universitetssykehuset Nord-Norge HF",
        referring_department="Nevrologisk avdeling", referring_doctor="Overlege Nils Nord",
        referred_on=today - timedelta(days=2), from_regional_hospital=True, regional_review_by=None,
        regional_review_on=None, icd10="G12.2", condition="Amyotrofisk lateralsklerose (ALS) i rask progresjon",
        treatments_tried="Riluzol; ingen effekt på progresjon",
        question="Er det aktuelle kliniske studier for pasienten i Norden?"), actor=secretary)
    return 2

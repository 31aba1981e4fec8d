"""The forms tidy what was typed, once (text stripped, no text as None, codes in upper case), and hand the
services one command; the JSON API reads its input with the same forms."""
from datetime import date

from werkzeug.datastructures import MultiDict

from app.abroad.commands import NewAppeal, NewCost, TreatmentPlan
from app.abroad.forms import AppealForm, ApplicationForm, CostForm, TreatmentPlanForm
from app.abroad.models import CostCategory, Stream, TreatmentClass


def _command(app, form_class, **typed):
    with app.test_request_context(method="POST"):
        form = form_class(formdata=MultiDict(typed), meta={"csrf": False})
        assert form.validate(), form.errors
        return form.to_command()


def test_the_application_form_strips_text_drops_empty_fields_and_upper_cases_the_method(app):
    command = _command(app, ApplicationForm, national_id="", patient_name="Nora Nordlys", birth_date="08.03.1994",
                       municipality="  5501   Tromsø ", home_region="helse-nord", stream="application",
                       received_on="01.09.2026", reference="   ", applicant=" Sykehuslege ", referring_doctor="",
                       requested_treatment="  Fetoskopisk laserbehandling\n", treatment_class="established",
                       icd10=" O43.0 ", method_reference=" id2024_090 ")
    assert (command.national_id, command.municipality, command.birth_date) == (None, "5501 Tromsø",
                                                                                date(1994, 3, 8))
    assert (command.stream, command.treatment_class) == (Stream.APPLICATION, TreatmentClass.ESTABLISHED)
    assert (command.reference, command.applicant, command.referring_doctor, command.requested_where) == (
        None, "Sykehuslege", None, None)
    assert (command.requested_treatment, command.icd10, command.method_reference) == (
        "Fetoskopisk laserbehandling", "O43.0", "ID2024_090")


def test_the_cost_form_gives_the_amount_as_typed_and_the_currency_as_a_code(app):
    assert _command(app, CostForm, entry_date="05.10.2026", category="treatment", amount=" 185 000,00 ",
                    currency=" dkk ", exchange_rate="1,5834 ", invoice_reference="  ") == NewCost(
        entry_date=date(2026, 10, 5), category=CostCategory.TREATMENT, amount="185 000,00", currency="DKK",
        exchange_rate="1,5834")


def test_the_plan_and_appeal_forms_leave_no_empty_text(app):
    assert _command(app, TreatmentPlanForm, version="1", hospital=" Rigshospitalet ", country="DK",
                    planned_start="", travel_arrangements=" ", companion="Ektefelle") == TreatmentPlan(
        hospital="Rigshospitalet", country="DK", companion="Ektefelle")
    assert _command(app, AppealForm, received_on="01.10.2026", notified_on="22.09.2026", grounds="\n") == NewAppeal(
        received_on=date(2026, 10, 1), notified_on=date(2026, 9, 22))

from django.urls import path

from .views import backoffice, documents, employee, parent, procedures, shared

app_name = "www"

urlpatterns = [
    path("", shared.home, name="home"),
    path("mes-donnees/", shared.my_data, name="my_data"),
    path("mes-donnees/partages/", shared.sharing, name="sharing"),
    path("assistance/", shared.support, name="support"),
    path("mesure-des-parcours/", shared.measurement, name="measurement"),
    path("demarches/<slug:slug>/", procedures.questions, name="procedure"),
    path("demarches/<slug:slug>/verifier/", procedures.check, name="procedure_check"),
    path("gestion/", backoffice.home, name="backoffice"),
    path("gestion/parcours/", backoffice.journeys_report, name="backoffice_journeys"),
    path("parent/", parent.dashboard, name="parent"),
    path("parent/embaucher/", parent.hire, name="hire"),
    path("parent/contrats/<int:pk>/", parent.contract, name="contract"),
    path("parent/contrats/<int:pk>/mois/<int:period>/", parent.declare, name="declare"),
    path("parent/declarations/<int:pk>/corriger/", parent.correct, name="correct"),
    path("declarations/<int:pk>/", shared.declaration, name="declaration"),
    path("bulletins/<int:pk>/", documents.payslip_pdf, name="payslip_pdf"),
    path("contrats/<int:pk>/documents/<slug:kind>/", documents.end_document, name="end_document"),
    path("salarie/", employee.dashboard, name="employee"),
    path("salarie/contrats/<int:pk>/reponse/", employee.answer_hire, name="answer_hire"),
    path("salarie/recapitulatif/<int:year>/", employee.yearly, name="yearly"),
]

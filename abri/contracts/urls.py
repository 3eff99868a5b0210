from django.urls import path

from abri.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("resilier/", views.termination_start, name="terminate_start"),
    path("<str:number>/", views.contract_detail, name="detail"),
    path("<str:number>/modifier/", views.contract_change, name="change"),
    path("<str:number>/modifier/conseiller/", views.capital_request, name="capital_request"),
    path("<str:number>/simulations/", views.simulation_list, name="simulations"),
    path("<str:number>/simulations/enregistrer/", views.simulation_create, name="simulation_create"),
    path("<str:number>/simulations/<int:pk>/supprimer/", views.simulation_delete, name="simulation_delete"),
    path("<str:number>/avenant/", views.amendment_confirm, name="amendment_confirm"),
    path("<str:number>/avenants/", views.amendment_list, name="amendments"),
    path("<str:number>/comparer/", views.formula_comparison, name="comparison"),
    path("<str:number>/conditions/", views.contract_conditions, name="conditions"),
    path("<str:number>/conditions/pdf/", views.contract_conditions_pdf, name="conditions_pdf"),
    path("<str:number>/resilier/", views.termination_form, name="terminate"),
    path("<str:number>/resilier/recapitulatif/", views.termination_summary, name="terminate_summary"),
    path("<str:number>/resiliation/<str:termination>/", views.termination_done, name="termination_done"),
    path("<str:number>/demenagement/", views.move_start, name="move"),
    path("<str:number>/demenagement/confirmer/", views.move_confirm, name="move_confirm"),
]

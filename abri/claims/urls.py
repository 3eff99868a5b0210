from django.urls import path

from abri.claims import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("declarer/", views.declare_start, name="declare_start"),
    path("declarer/<uuid:key>/envoyer/", views.declare_submit, name="declare_submit"),
    path("declarer/<uuid:key>/supprimer/", views.draft_delete, name="draft_delete"),
    path("declarer/<uuid:key>/fichiers/", views.evidence_upload, name="evidence_upload"),
    path("declarer/<uuid:key>/<str:step>/", views.declare_step, name="declare_step"),
    path("fichiers/<uuid:key>/", views.evidence_file, name="evidence_file"),
    path("<str:number>/", views.claim_detail, name="detail"),
    path("<str:number>/messages/", views.claim_message, name="message"),
    path("<str:number>/documents/", views.claim_add_evidence, name="add_evidence"),
    path("<str:number>/accepter/", views.claim_accept, name="accept"),
]

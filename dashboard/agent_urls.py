"""URLs of the agents pages (included under the dashboard namespace)."""

from django.urls import path

from dashboard.views import agents

urlpatterns = [
    path("agents/", agents.agent_list, name="agents"),
    path("agents/add/", agents.agent_add, name="agent_add"),
    path("projects/<slug:slug>/agents/", agents.project_agents, name="project_agents"),
]

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "reviewer.agents"
    label = "agents"
    verbose_name = "Agents"

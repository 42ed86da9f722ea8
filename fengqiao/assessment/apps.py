from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "fengqiao.assessment"
    verbose_name = "考核"

"""调解协议, 调解不成记录 and 回访 now belong to mediation (mediation 0002 took them into its
state): they leave disputes' state here. The database is not touched: the tables and their rows
stay, owned by mediation's models (``Meta.db_table``)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0016_timeline_action_choices'),
        ('mediation', '0002_agreement_failure_followup'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name='failure', name='case'),
                migrations.RemoveField(model_name='failure', name='recorded_by'),
                migrations.RemoveField(model_name='followup', name='case'),
                migrations.RemoveField(model_name='followup', name='visitor'),
                migrations.DeleteModel(name='Agreement'),
                migrations.DeleteModel(name='Failure'),
                migrations.DeleteModel(name='FollowUp'),
            ],
        ),
    ]

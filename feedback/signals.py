"""Signals other apps hook into from their ``AppConfig.ready()``.

The case core never imports the apps built on it; they register here.
"""

from django.dispatch import Signal

# Sent by ``seed_demo`` after the demo commune and its cases exist, so that
# petitions, dialogues and programs add their own demo data.
# kwargs: root_unit (the commune), users (dict username → User), rng
# (random.Random), today (date), stdout (a writer).
demo_seeded = Signal()

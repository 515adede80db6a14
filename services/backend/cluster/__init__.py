"""Rendering on Celery workers (``AURORA_RENDER_POOL=celery``), for a backend on many machines.

A job is cut into pieces (its scenes, its music, then its composition: ``pieces.py``), and
each piece is one Celery task that any worker may take. The API replicas only store jobs and
queue their pieces (``dispatch.py``); the workers render them (``worker.py``, ``runner.py``)
and publish the stages they reach. Both sides meet in the job store, the progress feed and the
media store the settings choose, and in Redis (``coordination.py``): a lock per job, so stage
events go out once and in order whichever worker finishes first; a lease per piece, renewed
while it renders, so a lost worker is noticed; a cancel flag the render reads between frames.

Imported only when a setting chooses it: one machine needs none of Celery.
"""
